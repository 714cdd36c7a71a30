"""GAN training: n_critic discriminator updates then one generator update per step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from aigc_tui.config.gan import GanConfig
from aigc_tui.data.images import BatchSampler, load_images
from aigc_tui.models.gan import build_models, split_state
from aigc_tui.models.grid import save_grid
from aigc_tui.runs.layout import SAMPLE_IMAGE_SUFFIX, WEIGHTS_FILE, sample_path
from aigc_tui.train.checkpoint_io import rng_state, set_rng_state
from aigc_tui.train.gan.losses import d_loss, d_score, g_loss, gradient_penalty
from aigc_tui.train.guard import guarded_step, make_adam, nonfinite
from aigc_tui.train.loop import Trainer

METRIC_NAMES = ("loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g", "nonfinite")


def fixed_noise(config: GanConfig, device: torch.device) -> torch.Tensor:
    """The run's fixed noise batch: same seed, same z, so grids compare across training."""
    gen = torch.Generator().manual_seed(config.run.seed + 7919)
    return torch.randn(config.train.sample_count, config.model.latent_dim, generator=gen).to(device)


class GanTrainer(Trainer):
    items_name = "images"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cfg: GanConfig = self.config  # type: ignore[assignment]
        self.cfg = cfg
        torch.manual_seed(cfg.run.seed)
        self.images = load_images(cfg.data).to(self.device)
        self.log(f"data: {cfg.data.source}, {self.images.shape[0]} images of {tuple(self.images.shape[1:])}")
        self.sampler = BatchSampler(self.images, cfg.train.batch_size, cfg.run.seed)
        self.generator, self.discriminator = (m.to(self.device) for m in build_models(cfg))
        betas = (cfg.train.beta1, cfg.train.beta2)
        self.opt_g = make_adam(torch.optim.Adam, self.generator.parameters(), lr=cfg.train.lr_g, betas=betas)
        self.opt_d = make_adam(torch.optim.Adam, self.discriminator.parameters(), lr=cfg.train.lr_d, betas=betas)
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=self.place.precision == "fp16")
        self.noise_gen = torch.Generator(device=self.device).manual_seed(cfg.run.seed + 1)
        self.fixed_noise = fixed_noise(cfg, self.device)
        self.g_fwd, self.d_fwd = self.generator, self.discriminator
        if cfg.run.compile:
            self.g_fwd, self.d_fwd = torch.compile(self.generator), torch.compile(self.discriminator)
        self.acc = torch.zeros(len(METRIC_NAMES), device=self.device)
        self.acc_steps = 0

    def _z(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.cfg.model.latent_dim, device=self.device, generator=self.noise_gen)

    def train_step(self) -> int:
        t, loss_kind = self.cfg.train, self.cfg.train.loss
        seen = 0
        bad_d = torch.zeros((), device=self.device)
        for k in range(t.n_critic):
            real = self.sampler.batch(self.step * t.n_critic + k)
            seen += real.shape[0]
            with self.place.autocast():
                fake = self.g_fwd(self._z(real.shape[0])).detach()
                out_real, out_fake = self.d_fwd(real), self.d_fwd(fake)
                loss_d = d_loss(loss_kind, out_real.float(), out_fake.float())
            if loss_kind == "wgan-gp" and t.gp_weight > 0:
                loss_d = loss_d + t.gp_weight * gradient_penalty(self.d_fwd, real, fake)
            self.opt_d.zero_grad(set_to_none=True)
            self.scaler.scale(loss_d).backward()
            self.scaler.unscale_(self.opt_d)
            norm_d = torch.nn.utils.clip_grad_norm_(self.discriminator.parameters(), float("inf"))
            bad_k = nonfinite(loss_d, norm_d)
            guarded_step(self.opt_d, bad_k, self.scaler)  # a non-finite update never reaches the weights
            bad_d = torch.maximum(bad_d, bad_k)
        with self.place.autocast():
            out_gen = self.d_fwd(self.g_fwd(self._z(real.shape[0])))
            loss_g = g_loss(loss_kind, out_gen.float())
        self.opt_g.zero_grad(set_to_none=True)
        self.scaler.scale(loss_g).backward()
        self.scaler.unscale_(self.opt_g)
        norm_g = torch.nn.utils.clip_grad_norm_(self.generator.parameters(), float("inf"))
        bad_g = nonfinite(loss_g, norm_g)
        guarded_step(self.opt_g, bad_g, self.scaler)
        bad = torch.maximum(bad_d, bad_g)
        self.scaler.update()  # once per iteration, for both optimizers
        self.guard.observe(bad)
        with torch.no_grad():
            stats = torch.stack([
                loss_d.detach().float(), loss_g.detach().float(),
                d_score(loss_kind, out_real.detach()), d_score(loss_kind, out_fake.detach()),
                norm_d.float(), norm_g.float(),
                bad,
            ])
            self.acc += stats  # a NaN stays NaN for the interval, so the plot shows it
        self.acc_steps += 1
        return seen

    def read_metrics(self) -> dict[str, float]:
        values = self.acc.tolist()  # the one host sync of the interval
        n = max(self.acc_steps, 1)
        self.acc.zero_()
        self.acc_steps = 0
        metrics = {name: v / n for name, v in zip(METRIC_NAMES, values, strict=True)}
        metrics["nonfinite"] = values[-1]
        metrics["lr_g"] = self.opt_g.param_groups[0]["lr"]
        metrics["lr_d"] = self.opt_d.param_groups[0]["lr"]
        return metrics

    def weight_tensors(self) -> list[torch.Tensor]:
        return [*self.generator.state_dict().values(), *self.discriminator.state_dict().values()]

    def save_weights(self, folder: Path) -> None:
        tensors = {f"generator.{k}": v.detach().cpu().contiguous() for k, v in self.generator.state_dict().items()}
        tensors |= {f"discriminator.{k}": v.detach().cpu().contiguous() for k, v in self.discriminator.state_dict().items()}
        save_file(tensors, str(folder / WEIGHTS_FILE), metadata={"format": "pt", "kind": "gan"})

    def state(self) -> dict[str, Any]:
        return {
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "scaler": self.scaler.state_dict(),
            "rng": rng_state(self.device, {"noise": self.noise_gen}),
        }

    def load_state(self, folder: Path, state: dict[str, Any]) -> None:
        gen_state, disc_state = split_state(load_file(str(folder / WEIGHTS_FILE), device=str(self.device)))
        self.generator.load_state_dict(gen_state)
        self.discriminator.load_state_dict(disc_state)
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        if state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        set_rng_state(state["rng"], self.device, {"noise": self.noise_gen})

    @torch.no_grad()
    def sample(self) -> Path:
        was_training = self.generator.training
        self.generator.eval()
        images = self.generator(self.fixed_noise)
        self.generator.train(was_training)
        return save_grid(images, sample_path(self.run_dir, self.step, SAMPLE_IMAGE_SUFFIX))
