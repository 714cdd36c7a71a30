"""Sections shared by every recipe: how long to run, where, how often to log and save."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
GPUS_PATTERN = re.compile(r"^(|all|any:[1-9]\d*|\d+(,\d+)*)$")
ENDPOINT_PATTERN = re.compile(r"^[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")
LOOP_METRICS = ("step_ms_max", "gpu_mem_gb")  # what the shared loop adds (several processes; CUDA)
MAX_SEED = 2**63 - 1  # torch seeds are signed 64-bit: train, sample and generate take 0..MAX_SEED


class StrictModel(BaseModel):
    """Unknown keys are errors: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_attribute_docstrings=True,
                              strict=True, allow_inf_nan=False)
    # strict: "0.001" (a string) is not a number and 1 is not a bool; NaN/inf are never a setting


def check_name(value: str) -> str:
    """A run or recipe name: shown everywhere, so non-empty, one line, printable, not huge."""
    if not value.strip():
        raise ValueError("name must not be empty")
    if len(value) > 200:
        raise ValueError("name must be at most 200 characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("name must not hold control characters (newlines, escapes)")
    return value


class RunSection(StrictModel):
    steps: int = Field(2000, ge=1, le=100_000_000)
    """Optimizer steps to train for (a GAN step is n_critic D updates and one G update)."""
    seed: int = Field(0, ge=0, le=MAX_SEED)
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

    gpus: str = ""
    """GPUs for this run, one process each: 0,1,2,3, all, or any:N (the first N free); empty: device."""
    nproc: int = Field(1, ge=1, le=1024)
    """Processes per node on the CPU (gloo); with gpus, one process per GPU instead."""
    nnodes: int = Field(1, ge=1, le=4096)
    """Nodes taking part (each runs its own agent; the run directory on a shared filesystem)."""
    rdzv_endpoint: str = ""
    """HOST:PORT of the c10d rendezvous for several nodes."""
    max_restarts: int = Field(0, ge=0, le=100)
    """How often torchrun restarts every process after one fails (each restart resumes)."""
    slots: int = Field(0, ge=0, le=1024)
    """CPU runs queue for one of this many slots per process (0: no queue on the CPU)."""
    sweep: str = ""
    """The sweep group this run belongs to (set by `aigc-tui sweep`)."""
    sweep_keys: list[str] = Field(default_factory=list)
    """The keys the sweep varies, so a run is labelled by its values."""

    @field_validator("gpus")
    @classmethod
    def _gpus(cls, value: str) -> str:
        value = value.replace(" ", "")
        if not GPUS_PATTERN.match(value):
            raise ValueError("gpus must be a list like 0,1,2,3, all, or any:N")
        return value

    @field_validator("rdzv_endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if value and not ENDPOINT_PATTERN.match(value):
            raise ValueError("rdzv_endpoint must be HOST:PORT")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RunSection:
        if self.gpus and self.device in ("cpu", "mps"):
            raise ValueError(f"run.gpus = {self.gpus!r} needs a CUDA device, but run.device is {self.device!r}")
        if self.nnodes > 1 and not self.rdzv_endpoint:
            raise ValueError("run.nnodes > 1 needs run.rdzv_endpoint = HOST:PORT (node 0's address)")
        if self.slots and self.nproc > self.slots:
            raise ValueError(f"run.nproc = {self.nproc} processes cannot fit in run.slots = {self.slots}")
        return self

    @field_validator("device")
    @classmethod
    def _device(cls, value: str) -> str:
        if not DEVICE_PATTERN.match(value):
            raise ValueError("device must be auto, cpu, mps, cuda or cuda:N")
        return value
