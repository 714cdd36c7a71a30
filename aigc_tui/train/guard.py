"""The divergence guard: non-finite steps are skipped and counted on the device, never synced per step.

A step whose loss or gradient norm is NaN/inf must not touch the weights. Fused Adam/AdamW
take a `found_inf` tensor (the hook GradScaler uses) and skip the whole update inside the
kernel when it is set, so the skip costs no host sync. The guard also counts consecutive
non-finite steps on the device; the loop reads that count at its logging sync and ends the
run `failed` once it reaches `train.nonfinite_patience`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from aigc_tui.errors import AigcError

DIVERGED_HINT = "try a lower learning rate, fp32 precision or gradient clipping"


class Diverged(AigcError):
    """Training produced non-finite losses or weights for too long to go on."""

    def __init__(self, message: str) -> None:
        super().__init__(message, DIVERGED_HINT)


def make_adam(cls: type[torch.optim.Optimizer], params: Any, **kwargs: Any) -> torch.optim.Optimizer:
    """Adam/AdamW with the fused kernel where this torch has it (device-side skips), else foreach."""
    try:
        return cls(params, fused=True, **kwargs)
    except (RuntimeError, TypeError, ValueError):  # no fused kernel for this device or torch
        return cls(params, **kwargs)


def load_optimizer(optimizer: torch.optim.Optimizer, state: dict[str, Any], log: Any, name: str = "optimizer",
                   keys: tuple[str, ...] = ("lr", "betas", "weight_decay", "eps")) -> None:
    """Load an optimizer's saved state, keeping this config's hyper-parameters (`keys`): the saved
    param groups brought the old ones back, so `resume --set train.lr_g=...` was written and ignored (tester7 H18).
    A change is logged. Leave out of `keys` what a schedule sets at every step."""
    wanted = [{k: group[k] for k in keys if k in group} for group in optimizer.param_groups]
    saved = [dict(group) for group in state.get("param_groups", [])]
    optimizer.load_state_dict(state)
    changed = set()
    for group, want, old in zip(optimizer.param_groups, wanted, saved, strict=False):
        for key, value in want.items():
            before = old.get(key)
            if (tuple(before) if isinstance(before, list | tuple) else before) != value:
                changed.add(f"{key} {before} → {value}")
            group[key] = value
    if changed:
        log(f"{name}: {', '.join(sorted(changed))} (the config's, not the checkpoint's)")


def nonfinite(*values: torch.Tensor) -> torch.Tensor:
    """A 0-dim float flag on the device: 1.0 when any of the scalars is NaN or inf."""
    flags = [~torch.isfinite(v.detach().float()) for v in values]
    out = flags[0]
    for flag in flags[1:]:
        out = out | flag
    return out.float()


def guarded_step(optimizer: torch.optim.Optimizer, bad: torch.Tensor, scaler: Any = None) -> None:
    """`optimizer.step()` unless `bad` is set; weights, moments and the step count stay as they were."""
    if scaler is not None and scaler.is_enabled():
        scaler.step(optimizer)  # fp16: the scaler already skips steps with inf/NaN gradients
        return
    if optimizer.defaults.get("fused"):
        optimizer.found_inf = bad  # type: ignore[attr-defined]
        optimizer.grad_scale = None  # type: ignore[attr-defined]
        try:
            optimizer.step()
        finally:
            del optimizer.found_inf, optimizer.grad_scale  # type: ignore[attr-defined]
        return
    if not bool(bad):  # no fused kernel here (old torch): one sync per step is the price
        optimizer.step()


class DivergenceGuard:
    """Consecutive non-finite steps, counted on the device; read once per logging interval.

    `observe` only keeps the step's flag; the streak arithmetic runs over a batch of flags
    (a few vectorised ops per 64 steps, or when read), so the guard costs the step nothing.
    """

    FOLD_EVERY = 64

    def __init__(self, device: torch.device, patience: int) -> None:
        self.patience = patience
        # [steps run, current streak, 1-based step the streak that reached patience began (0: none)]
        self.state = torch.zeros(3, device=device)
        self.steps_offset = 0
        self._pending: list[torch.Tensor] = []

    def start_at(self, step: int) -> None:
        """The loop's step when training (re)starts, so reported steps match the run's."""
        self._pending.clear()
        self.state.zero_()
        self.steps_offset = step

    def observe(self, bad: torch.Tensor) -> None:
        """Record one step's flag (0-dim float on the device); no sync, no device op."""
        self._pending.append(bad)
        if len(self._pending) >= self.FOLD_EVERY:
            self._fold()

    @torch.no_grad()
    def _fold(self) -> None:
        if not self._pending:
            return
        flags = torch.stack(self._pending).float().reshape(-1)
        self._pending.clear()
        n = flags.numel()
        count, streak, tripped = self.state.unbind()
        idx = torch.arange(1, n + 1, device=flags.device, dtype=flags.dtype)
        last_ok = torch.cummax(torch.where(flags > 0, torch.zeros_like(idx), idx), 0).values  # 0: none yet
        run = torch.where(last_ok > 0, idx - last_ok, streak + idx)  # the streak after each step
        hits = (run >= self.patience).float()
        first = torch.argmax(hits)  # the first step whose streak reached patience
        began = count + first.to(flags.dtype) + 1 - self.patience + 1
        tripped.copy_(torch.where((tripped == 0) & (hits.sum() > 0), began, tripped))
        streak.copy_(run[-1])
        count.add_(n)

    def diverged_at(self) -> int | None:
        """The step a too-long streak began, or None (reads one small tensor: call at log time)."""
        self._fold()
        tripped = int(self.state[2].item())
        return self.steps_offset + tripped if tripped else None


def weights_finite(tensors: Iterable[torch.Tensor]) -> bool:
    """Whether every floating-point tensor is finite (one sync; call only when saving)."""
    checks = [torch.isfinite(t).all() for t in tensors if t.is_floating_point()]
    return bool(torch.stack(checks).all()) if checks else True
