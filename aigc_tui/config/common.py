"""Sections shared by every recipe: how long to run, where, how often to log and save."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


class StrictModel(BaseModel):
    """Unknown keys are errors: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_attribute_docstrings=True)


class RunSection(StrictModel):
    steps: int = Field(2000, ge=1, le=100_000_000)
    """Optimizer steps to train for (a GAN step is n_critic D updates and one G update)."""
    seed: int = Field(0, ge=0)
    """Seeds weights, data order and noise; the same seed on CPU gives the same run."""
    device: str = "auto"
    """auto (CUDA when present), cpu, cuda or cuda:N."""
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    """auto: bf16 autocast on a CUDA GPU that supports it, fp32 elsewhere."""
    compile: bool = False
    """torch.compile the models (CUDA; slow first steps, faster after)."""
    log_every: int = Field(20, ge=1)
    """Steps between metrics lines (the only host sync for metrics)."""
    sample_every: int = Field(200, ge=0)
    """Steps between samples (0: only at checkpoints)."""
    checkpoint_every: int = Field(500, ge=0)
    """Steps between checkpoints (0: only at the end and on request)."""
    keep_last: int = Field(3, ge=1)
    """How many of the newest checkpoints to keep."""
    keep_best: str = ""
    """Also keep the best checkpoint by this metric (empty: none)."""
    best_mode: Literal["min", "max"] = "min"
    """Whether the keep_best metric is better low or high."""

    @field_validator("device")
    @classmethod
    def _device(cls, value: str) -> str:
        if not DEVICE_PATTERN.match(value):
            raise ValueError("device must be auto, cpu, mps, cuda or cuda:N")
        return value
