"""GAN training: n_critic discriminator updates then one generator update per step."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from aigc_tui.config.gan import GanConfig
from aigc_tui.data.images import BatchSampler, load_images, skipped_note
from aigc_tui.models.gan import build_models, split_state
from aigc_tui.models.grid import save_grid
from aigc_tui.runs.layout import SAMPLE_IMAGE_SUFFIX, WEIGHTS_FILE, sample_path
from aigc_tui.train.checkpoint_io import rng_state, set_rng_state
from aigc_tui.train.gan.losses import d_loss, g_loss, gradient_penalty
from aigc_tui.train.guard import guarded_step, load_optimizer, make_adam, nonfinite
from aigc_tui.train.loop import Trainer

METRIC_NAMES = ("loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g", "nonfinite")


def _total_norm(params: Any) -> torch.Tensor:
    """The global L2 norm of the gradients (what clip_grad_norm_ reports), no clipping."""
    grads = [p.grad for p in params if p.grad is not None]
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)).float()) if grads else torch.zeros(())


def fixed_noise(config: GanConfig, device: torch.device) -> torch.Tensor:
    """The run's fixed noise batch: same seed, same z, so grids compare across training."""
    gen = torch.Generator().manual_seed(config.run.seed + 7919)
    return torch.randn(config.train.sample_count, config.model.latent_dim, generator=gen).to(device)


FOLD_EVERY = 64  # pending per-step tensors are summed into the accumulator this often


class GanTrainer(Trainer):
    """The step pays only for the training math; metrics are reduced once per log interval.

    Per step the losses and D's logits are kept as references (no device op); fp32 touches
    no GradScaler; with one critic step and no penalty, G's update re-scores the D step's
    fake batch (as pytorch/examples' DCGAN does) instead of running G twice, with D's weights
    frozen for G's backward (only D's input gradient is needed). The divergence
    guard's flag is folded into the fused optimizer step (no sync): on that fast path it
    is the loss's finiteness every step plus the gradient norm's on logging steps (where
    the norms are measured); with a gradient penalty or several critic steps the norms,
    and so the gradient check, run every step.
    """

    items_name = "images"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cfg: GanConfig = self.config  # type: ignore[assignment]
        self.cfg = cfg
        torch.manual_seed(cfg.run.seed)
        skipped: list[str] = []
        images = load_images(cfg.data, skipped).to(self.device)
        self.log(f"data: {cfg.data.source}, {images.shape[0]} images of {tuple(images.shape[1:])}" + skipped_note(skipped))
        self.sampler = BatchSampler(images, cfg.train.batch_size, cfg.run.seed)  # floats, made once
        del images
        self.dist.check_divides(self.sampler.batch_size)
        self.generator, self.discriminator = (m.to(self.device) for m in build_models(cfg))
        self.reseed_rank()
        betas = (cfg.train.beta1, cfg.train.beta2)
        self.opt_g = make_adam(torch.optim.Adam, self.generator.parameters(), lr=cfg.train.lr_g, betas=betas)
        self.opt_d = make_adam(torch.optim.Adam, self.discriminator.parameters(), lr=cfg.train.lr_d, betas=betas)
        self.scaler = torch.amp.GradScaler(self.device.type) if self.place.precision == "fp16" else None
        self.noise_gen = torch.Generator(device=self.device).manual_seed(cfg.run.seed + 1)
        self.fixed_noise = fixed_noise(cfg, self.device)
        self.g_fwd, self.d_fwd = self.parallel(self.generator), self.parallel(self.discriminator)  # DDP: several ranks
        if cfg.run.compile:
            self.g_fwd, self.d_fwd = torch.compile(self.g_fwd), torch.compile(self.d_fwd)
        self.autocast = self.place.autocast if self.place.dtype is not None else contextlib.nullcontext
        self._d_params = [p for p in self.discriminator.parameters() if p.requires_grad]
        self.reuse_fake = cfg.train.n_critic == 1 and not (cfg.train.loss == "wgan-gp" and cfg.train.gp_weight > 0)
        self._pending: tuple[list[torch.Tensor], ...] = ([], [], [], [], [])  # loss_d, loss_g, D(x), D(G(z)), bad
        self._acc = torch.zeros(5, device=self.device)  # their sums, then the non-finite step count
        self._acc_n = [0, 0]  # steps, scored samples
        self._norms = torch.full((2,), float("nan"), device=self.device)
        self.acc_steps = 0

    def _z(self) -> torch.Tensor:
        """This rank's slice of the global batch's noise (every rank draws it all: same stream at any world size)."""
        z = torch.randn(self.sampler.batch_size, self.cfg.model.latent_dim, device=self.device, generator=self.noise_gen)
        return self.dist.my_slice(z)

    def _freeze_d(self, frozen: bool) -> None:
        if self.dist.enabled:  # DDP expects the same parameters to need gradients every backward
            return
        for p in self._d_params:
            p.requires_grad_(not frozen)

    def _logs_now(self) -> bool:
        """Whether the loop reads metrics after this step (then gradient norms are measured)."""
        nxt, run = self.step + 1, self.cfg.run
        return nxt % run.log_every == 0 or nxt >= run.steps

    def _update(self, loss: torch.Tensor, opt: torch.optim.Optimizer, params: Any, norm_slot: int | None) -> torch.Tensor:
        """Backward, then a step the guard skips on the device when `bad`; returns `bad`."""
        opt.zero_grad(set_to_none=True)
        (loss if self.scaler is None else self.scaler.scale(loss)).backward()
        if norm_slot is None:
            bad = nonfinite(loss)
        else:
            if self.scaler is not None:
                self.scaler.unscale_(opt)
            norm = self._norms[norm_slot] = _total_norm(params)
            bad = nonfinite(loss, norm)
        guarded_step(opt, bad, self.scaler)  # a non-finite update never reaches the weights
        return bad

    def train_step(self) -> int:
        t, kind = self.cfg.train, self.cfg.train.loss
        norms = self._logs_now() or not self.reuse_fake  # the slow path checks gradients every step
        seen = 0
        bad_d: torch.Tensor | None = None
        for k in range(t.n_critic):
            real = self.sampler.batch(self.step * t.n_critic + k, self.dist.rank, self.dist.world)
            n = real.shape[0]
            seen += n
            with self.autocast():
                fake = self.g_fwd(self._z())
                fixed = fake.detach()
                out_real, out_fake = self.d_fwd(real), self.d_fwd(fixed)
                loss_d = d_loss(kind, out_real.float(), out_fake.float())
            if kind == "wgan-gp" and t.gp_weight > 0:
                loss_d = loss_d + t.gp_weight * gradient_penalty(self.d_fwd, real, fixed)
            bad_k = self._update(loss_d, self.opt_d, self.discriminator.parameters(), 0 if norms else None)
            bad_d = bad_k if bad_d is None else torch.maximum(bad_d, bad_k)
        self._freeze_d(True)  # G's update needs D's input gradient only, not its weights'
        try:
            with self.autocast():
                out_gen = self.d_fwd(fake if self.reuse_fake else self.g_fwd(self._z()))
                loss_g = g_loss(kind, out_gen.float())
            bad_g = self._update(loss_g, self.opt_g, self.generator.parameters(), 1 if norms else None)
        finally:
            self._freeze_d(False)
        assert bad_d is not None
        bad = torch.maximum(bad_d, bad_g)
        if self.scaler is not None:
            self.scaler.update()  # once per iteration, for both optimizers
        self.guard.observe(bad)
        for store, value in zip(self._pending, (loss_d, loss_g, out_real, out_fake, bad), strict=True):
            store.append(value.detach())
        self.acc_steps += 1
        if len(self._pending[0]) >= FOLD_EVERY:
            self._fold()
        return seen

    @torch.no_grad()
    def _fold(self) -> None:
        """Sum the pending per-step tensors into the accumulator (a few ops per FOLD_EVERY steps)."""
        if not self._pending[0]:
            return
        kind = self.cfg.train.loss
        losses = torch.stack([torch.stack(self._pending[0]), torch.stack(self._pending[1])]).float()
        real, fake = torch.cat(self._pending[2]).float(), torch.cat(self._pending[3]).float()
        scores = [torch.sigmoid(x) if kind == "bce" else x for x in (real, fake)]
        self._acc += torch.stack([*losses.sum(1), scores[0].sum(), scores[1].sum(), torch.stack(self._pending[4]).sum()])
        self._acc_n[0] += losses.shape[1]
        self._acc_n[1] += real.numel()
        for store in self._pending:
            store.clear()

    def reduce_metrics(self) -> None:
        """Average the sums over ranks (each rank scored an equal slice); the norms are already shared."""
        self._fold()
        self.dist.mean_(self._acc)

    def read_metrics(self) -> dict[str, float]:
        self._fold()
        values = torch.cat([self._acc, self._norms.float()]).tolist()  # the one host sync of the interval
        steps, scored = max(self._acc_n[0], 1), max(self._acc_n[1], 1)
        self._acc.zero_()
        self._acc_n = [0, 0]
        self.acc_steps = 0
        metrics = {"loss_d": values[0] / steps, "loss_g": values[1] / steps, "d_real": values[2] / scored,
                   "d_fake": values[3] / scored, "grad_norm_d": values[5], "grad_norm_g": values[6],
                   "nonfinite": values[4]}
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
            "scaler": self.scaler.state_dict() if self.scaler is not None else {},
            "rng": rng_state(self.device, {"noise": self.noise_gen}),
        }

    def load_weights(self, folder: Path) -> None:
        gen_state, disc_state = split_state(load_file(str(folder / WEIGHTS_FILE), device=str(self.device)))
        self.generator.load_state_dict(gen_state)
        self.discriminator.load_state_dict(disc_state)

    def load_state(self, folder: Path, state: dict[str, Any]) -> None:
        self.load_weights(folder)
        load_optimizer(self.opt_g, state["opt_g"], self.log, "generator optimizer")
        load_optimizer(self.opt_d, state["opt_d"], self.log, "discriminator optimizer")
        if state.get("scaler") and self.scaler is not None:
            self.scaler.load_state_dict(state["scaler"])
        set_rng_state(state["rng"], self.device, {"noise": self.noise_gen})

    @torch.no_grad()
    def sample(self) -> Path:
        was_training = self.generator.training
        self.generator.eval()
        images = self.generator(self.fixed_noise)
        self.generator.train(was_training)
        return save_grid(images, sample_path(self.run_dir, self.step, SAMPLE_IMAGE_SUFFIX))
