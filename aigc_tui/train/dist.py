"""The process group a worker rank belongs to, as torchrun describes it in the environment.

One process (no torchrun) is a world of one: every method here is then a no-op, so the loop
and the trainers have a single code path. With several ranks, global rank 0 is the run's only
writer; everything else here is the few small collectives the loop needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch
import torch.distributed as tdist

COLLECTIVE_TIMEOUT_S = float(os.environ.get("AIGC_TUI_COLLECTIVE_TIMEOUT", "50"))
"""A collective that waits longer than this fails the run (a dead or stuck rank, never a hang)."""
SLOW_TIMEOUT_S = 1800.0
"""For the barrier behind a checkpoint: rank 0 may write a large model for a long time."""


@dataclass
class Dist:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    _slow: Any = None  # a gloo group with a long timeout, for waiting on rank 0's writes

    @property
    def enabled(self) -> bool:
        return self.world > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def start(self, device: torch.device) -> None:
        """Join the process group: NCCL on CUDA, gloo on the CPU; collectives time out."""
        if not self.enabled or tdist.is_initialized():
            return
        backend = "nccl" if device.type == "cuda" else "gloo"
        kwargs: dict[str, Any] = {"device_id": device} if device.type == "cuda" else {}
        tdist.init_process_group(backend, timeout=timedelta(seconds=COLLECTIVE_TIMEOUT_S), **kwargs)
        self._slow = tdist.new_group(backend="gloo", timeout=timedelta(seconds=SLOW_TIMEOUT_S))

    def close(self) -> None:
        if self.enabled and tdist.is_initialized():
            tdist.destroy_process_group()

    def mean_(self, tensor: torch.Tensor) -> torch.Tensor:
        """Average a device tensor over ranks in place (no host sync)."""
        if self.enabled:
            tdist.all_reduce(tensor, op=tdist.ReduceOp.SUM)
            tensor.div_(self.world)
        return tensor

    def agree(self, values: list[float], device: torch.device) -> list[float]:
        """Element-wise max over ranks: rank 0's decisions and any rank's stop reach everyone."""
        if not self.enabled:
            return values
        tensor = torch.tensor(values, dtype=torch.float64 if device.type == "cpu" else torch.float32, device=device)
        tdist.all_reduce(tensor, op=tdist.ReduceOp.MAX)
        return tensor.tolist()

    def gather(self, value: float, device: torch.device) -> list[float]:
        """One number from every rank (per-rank step time), on every rank."""
        if not self.enabled:
            return [value]
        mine = torch.tensor([value], dtype=torch.float32, device=device)
        out = [torch.zeros_like(mine) for _ in range(self.world)]
        tdist.all_gather(out, mine)
        return [float(t.item()) for t in out]

    def gather_objects(self, obj: Any) -> list[Any]:
        if not self.enabled:
            return [obj]
        out: list[Any] = [None] * self.world
        tdist.all_gather_object(out, obj, group=self._slow)
        return out

    def wait_for_main(self) -> None:
        """Every rank waits here while rank 0 writes (a long timeout: checkpoints can be big)."""
        if self.enabled:
            tdist.barrier(group=self._slow)

    def my_slice(self, batch: torch.Tensor) -> torch.Tensor:
        """This rank's rows of a global batch (the sizes divide: checked at start)."""
        if not self.enabled:
            return batch
        per = batch.shape[0] // self.world
        return batch[self.rank * per : (self.rank + 1) * per]

    def check_divides(self, global_batch: int, what: str = "train.batch_size") -> None:
        from aigc_tui.errors import ConfigError

        if global_batch % self.world:
            raise ConfigError(
                f"{what} = {global_batch} is the global batch and must divide among {self.world} processes"
            )


def from_env() -> Dist:
    """The rank torchrun gave this process (a world of one outside torchrun)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Dist()
    return Dist(int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0")))
