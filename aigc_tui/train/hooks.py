"""What a model family provides to the shared loop (`train.loop.Trainer`), and nothing else.

Required: `train_step`, `read_metrics`, `save_weights`, `weight_tensors`, `state`/`load_state`
and `sample`. Optional: `load_weights` (forks with weights), `schedule_note`,
`checkpoint_extras`, `eval_metrics`, and the class attributes `items_name` and
`sample_needs_all_ranks`. The loop decides when each runs; a family never writes status,
metrics or checkpoints itself.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import torch


class FamilyHooks(ABC):
    """The hooks a family trainer fills in; `Trainer` calls them."""

    items_name = "items"  # images, tokens: what throughput counts
    sample_needs_all_ranks = False  # FSDP: a forward is a collective, so every rank samples

    @abstractmethod
    def train_step(self) -> int:
        """One optimizer step; returns how many items (images, tokens) it consumed."""

    @abstractmethod
    def read_metrics(self) -> dict[str, float]:
        """The device-side accumulators since the last call, read with one host sync, then reset."""

    @abstractmethod
    def save_weights(self, folder: Path) -> None: ...

    @abstractmethod
    def weight_tensors(self) -> list[torch.Tensor]:
        """Every tensor `save_weights` writes, to check they are finite first."""

    @abstractmethod
    def state(self) -> dict[str, Any]:
        """Optimizer, scheduler and RNG state for an exact resume (tensors and plain types only)."""

    @abstractmethod
    def load_state(self, folder: Path, state: dict[str, Any]) -> None: ...

    def load_weights(self, folder: Path) -> None:
        """Only the weights of a checkpoint (a fork "with weights" and a fresh optimizer)."""
        raise NotImplementedError(f"{type(self).__name__} cannot start from another run's weights")

    def schedule_note(self) -> str:
        """What the learning rate does over the run, for the log when a run is extended."""
        return "constant learning rate"

    @abstractmethod
    def sample(self) -> Path | None:
        """Write a sample for the current step under samples/ (and return its path)."""

    def checkpoint_extras(self) -> dict[str, str]:
        """Extra small files to store beside a checkpoint's weights."""
        return {}

    def eval_metrics(self) -> dict[str, float]:
        """Metrics computed on held-out data at log time (LM validation); none by default."""
        return {}
