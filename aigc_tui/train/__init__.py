"""The worker side (imports torch, never textual): the loop skeleton and the GAN and LM trainers."""
