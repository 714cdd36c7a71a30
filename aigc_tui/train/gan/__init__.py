"""GAN family: MLP GAN and DCGAN; bce, hinge and wgan-gp losses."""
