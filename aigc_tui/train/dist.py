"""The process group a worker rank belongs to, as torchrun describes it in the environment.

One process (no torchrun) is a world of one: every method here is then a no-op, so the loop
and the trainers have a single code path. With several ranks, global rank 0 is the run's only
writer; everything else here is the few small collectives the loop needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import torch
import torch.distributed as tdist

from aigc_tui.runs.control import ControlAction, take_requests

CONTROL_POLL_SECONDS = 0.25
MAX_POLL_STEPS = 1000

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

    def wrap(self, module: torch.nn.Module, device: torch.device) -> torch.nn.Module:
        """DDP around a model when there are several ranks; SyncBatchNorm on CUDA (CPU ranks keep local BN)."""
        if not self.enabled:
            return module
        from torch.nn.parallel import DistributedDataParallel

        if device.type == "cuda":
            module = torch.nn.SyncBatchNorm.convert_sync_batchnorm(module)
        return DistributedDataParallel(module, device_ids=[device.index] if device.type == "cuda" else None)

    def reseed(self, seed: int) -> None:
        if self.enabled:
            torch.manual_seed(seed * 1_000_003 + 7 * self.rank + 1)

    def restore_rng(self, rank_states: list[torch.Tensor], seed: int) -> None:
        """Each rank's own random stream from a checkpoint of the same world size, else a fresh one."""
        if self.enabled and len(rank_states) == self.world:
            torch.set_rng_state(rank_states[self.rank])
        else:
            self.reseed(seed)

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


def agree_on_control(dist: Dist, run_dir: Path, stop_here: bool, steps_since: int, seconds: float,
                     device: torch.device) -> tuple[str, list[ControlAction], int]:
    """Rank 0 reads control requests; one small all-reduce tells every rank, and carries any rank's SIGTERM.

    Returns (why to stop or "", save/sample actions, steps until the next poll). Polls fall on
    steps every rank agrees on: rank 0 picks the gap so about CONTROL_POLL_SECONDS pass.
    """
    stop = 1.0 if stop_here else 0.0
    save = sample = gap = 0.0
    if dist.is_main:
        for action in take_requests(run_dir):
            stop = max(stop, 2.0 if action is ControlAction.STOP else 0.0)
            save = 1.0 if action is ControlAction.SAVE else save
            sample = 1.0 if action is ControlAction.SAMPLE else sample
        per_step = seconds / steps_since if steps_since else 0.0
        gap = float(max(1, min(MAX_POLL_STEPS, int(CONTROL_POLL_SECONDS / per_step) if per_step > 0 else 1)))
    stop, save, sample, gap = dist.agree([stop, save, sample, gap], device)
    why = "stop requested" if stop >= 2 else ("SIGTERM on another process" if stop else "")
    actions = [a for a, on in ((ControlAction.SAVE, save), (ControlAction.SAMPLE, sample)) if on]
    return why, actions, int(gap)


def from_env() -> Dist:
    """The rank torchrun gave this process (a world of one outside torchrun)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Dist()
    return Dist(int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0")))
