"""GPUs as NVML sees them (name, memory, utilisation) for the device picker and the monitor.

No torch: NVML answers in milliseconds and never creates a CUDA context. Empty where there is
no driver or no GPU.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GpuInfo:
    index: int
    name: str
    mem_used_gb: float
    mem_total_gb: float
    util_percent: int

    @property
    def label(self) -> str:
        free = self.mem_total_gb - self.mem_used_gb
        return f"cuda:{self.index}  {self.name}  {free:.0f}/{self.mem_total_gb:.0f} GB free  {self.util_percent}% busy"


def list_gpus() -> list[GpuInfo]:
    try:
        import pynvml
    except ImportError:
        return []
    try:
        pynvml.nvmlInit()
    except Exception:  # no driver, no GPU
        return []
    gpus = []
    try:
        for i in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            name = pynvml.nvmlDeviceGetName(handle)
            mem = pynvml.nvmlDeviceGetMemoryInfo(handle)
            util = pynvml.nvmlDeviceGetUtilizationRates(handle)
            gpus.append(GpuInfo(i, name.decode() if isinstance(name, bytes) else name,
                                mem.used / 2**30, mem.total / 2**30, int(util.gpu)))
    except Exception:
        return gpus
    finally:
        try:
            pynvml.nvmlShutdown()
        except Exception:
            pass
    return gpus
