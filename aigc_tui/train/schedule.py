"""Learning-rate schedules, as functions of the step and the run's total, so extending a run
(`resume --set run.steps=N`) recomputes them over the new total."""

from __future__ import annotations

import math


def warmup_cosine(step: int, total: int, lr: float, min_lr: float, warmup: int) -> float:
    """Linear warmup, then cosine decay from lr to min_lr by the last step."""
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * progress))


def warmup_linear(step: int, total: int, lr: float, warmup: int) -> float:
    """Linear warmup, then linear decay to 0 at the last step (BERT's fine-tuning schedule)."""
    if step < warmup:
        return lr * (step + 1) / warmup
    return lr * max(0.0, (total - step) / max(1, total - warmup))
