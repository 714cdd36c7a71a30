"""Pick the device and precision; turn on the fast paths CUDA offers (TF32, bf16 autocast)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch

from aigc_tui.config.common import DEVICE_PATTERN
from aigc_tui.config.environment import device_problem
from aigc_tui.errors import DeviceError


@dataclass(frozen=True)
class Placement:
    device: torch.device
    dtype: torch.dtype | None  # autocast dtype, None for fp32

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def precision(self) -> str:
        return {torch.bfloat16: "bf16", torch.float16: "fp16"}.get(self.dtype, "fp32")  # type: ignore[arg-type]

    def autocast(self) -> contextlib.AbstractContextManager[None]:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.dtype)

    def describe(self) -> str:
        if self.is_cuda:
            return f"{self.device} ({torch.cuda.get_device_name(self.device)}, {self.precision})"
        return f"{self.device} ({self.precision})"


def cuda_device_count() -> int:
    """GPUs this process can use (0 without a working CUDA)."""
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def resolve_device(spec: str) -> torch.device:
    """The torch device for a config's `run.device`; a CUDA device always carries its index,
    which `torch.cuda.set_device`, the RNG state and the memory counters need."""
    device = _parse_device(spec)
    if device.type == "cuda" and device.index is None:
        return torch.device("cuda", torch.cuda.current_device())
    return device


def _parse_device(spec: str) -> torch.device:
    if not DEVICE_PATTERN.match(spec):
        raise DeviceError(f"device '{spec}' is not one of auto, cpu, mps, cuda or cuda:N")
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if spec.startswith("cuda"):
        problem = device_problem(spec, cuda_device_count())
        if problem:
            raise DeviceError(problem)
        return torch.device(spec)
    if spec == "mps" and not torch.backends.mps.is_available():
        raise DeviceError("device 'mps' asked for, but MPS is not available here")
    return torch.device(spec)


def placement(device_spec: str, precision: str) -> Placement:
    device = resolve_device(device_spec)
    if device.type == "cuda":
        torch.cuda.set_device(device)
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.set_float32_matmul_precision("high")
        torch.backends.cudnn.benchmark = True
    if precision == "auto":
        bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()
        return Placement(device, torch.bfloat16 if bf16 else None)
    if precision == "fp16" and device.type != "cuda":
        raise DeviceError("precision 'fp16' needs a CUDA device; use bf16 or fp32 on the CPU")
    return Placement(device, {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[precision])
