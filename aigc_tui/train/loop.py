"""The loop skeleton every family shares: cadence, status, control, checkpoints, graceful stop.

A family fills in the hooks of `train.hooks.FamilyHooks` (README: "Adding a model family");
this class decides when each runs and records it in the run directory.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import torch

from aigc_tui.config import RecipeConfig, dump_toml
from aigc_tui.errors import DISK_FULL, AigcError, StorageError, write_failure
from aigc_tui.models.device import Placement
from aigc_tui.runs.checkpoints import prune_checkpoints
from aigc_tui.runs.control import ControlAction
from aigc_tui.runs.layout import CHECKPOINT_CONFIG_FILE, checkpoint_dir, cli_ref
from aigc_tui.runs.metrics import MetricsWriter
from aigc_tui.runs.status import RunState, RunStatus, process_start_time
from aigc_tui.runs.store import Run
from aigc_tui.train.checkpoint_io import load_trainer_state, write_checkpoint
from aigc_tui.train.dist import agree_on_control
from aigc_tui.train.dist import from_env as dist_from_env
from aigc_tui.train.guard import Diverged, DivergenceGuard, weights_finite
from aigc_tui.train.hooks import FamilyHooks
from aigc_tui.train.lineage import note_extension
from aigc_tui.train.preview import previewed

STATUS_EVERY_S = 2.0  # between log lines, status.json gets the current step this often (progress lines)


def format_metrics(step: int, total: int, values: dict[str, float]) -> str:
    shown = " ".join(f"{k} {v:.4g}" for k, v in values.items() if not k.startswith(("lr", "grad_norm", "nonfinite")))
    return f"step {step}/{total} {shown}"


class Trainer(FamilyHooks):
    """One run's training, driven by `run()`; a family subclass fills in `FamilyHooks`."""

    def __init__(self, run: Run, config: RecipeConfig, place: Placement, log: Any) -> None:
        self.run_dir = run.path
        self.config = config
        self.place = place
        self.device = place.device
        self.log = log
        self.step = 0
        self.last_metrics: dict[str, float] = {}
        self.last_eval: dict[str, float] = {}  # the newest validation metrics, kept for checkpoints
        self._stop_reason: str | None = None
        self.saved_step: int | None = None  # the step of the newest checkpoint on disk
        self.guard = DivergenceGuard(self.device, config.train.nonfinite_patience)
        self.error: str | None = None
        self.dist = dist_from_env()
        self.dist.start(self.device)
        if not self.dist.is_main:
            self.log = lambda _message: None  # rank 0 speaks for the run; errors still reach stderr

    # --- the skeleton -------------------------------------------------------------------
    def request_stop(self, reason: str) -> None:
        self._stop_reason = reason

    def parallel(self, module: torch.nn.Module) -> torch.nn.Module:
        """DDP around a model when there are several ranks (SyncBatchNorm on CUDA); else the model."""
        return self.dist.wrap(module, self.device)

    def reseed_rank(self) -> None:
        """After identical model init on every rank, give each rank its own random stream (dropout)."""
        self.dist.reseed(self.config.run.seed)

    def local_weight_tensors(self) -> list[torch.Tensor]:
        """This rank's part of the weights (a shard under FSDP2, all of them otherwise)."""
        return [t.to_local() if hasattr(t, "to_local") else t for t in self.weight_tensors()]

    def reduce_metrics(self) -> None:
        """Average the family's device accumulators over ranks before they are read."""
        acc = getattr(self, "acc", None)
        if isinstance(acc, torch.Tensor):
            self.dist.mean_(acc)

    def resume_from(self, folder: Path) -> None:
        state = load_trainer_state(folder)
        self.load_state(folder, state)
        self.dist.restore_rng(state.get("rank_rng") or [], self.config.run.seed)
        self.step = int(state["step"])
        self.last_metrics = dict(state.get("last_metrics", {}))
        self.last_eval = dict(state.get("last_eval", {}))
        self.saved_step = self.step
        self.log(f"resumed from {folder.name} at step {self.step}")
        note_extension(self, folder)

    def check_divergence(self) -> None:
        """End the run once `nonfinite_patience` steps in a row were non-finite (a small read)."""
        began = self.guard.diverged_at()
        if began is not None:
            raise Diverged(
                f"diverged at step {began}: {self.guard.patience} steps in a row had a NaN/inf loss"
                " (each update was skipped; the newest checkpoint is finite)"
            )

    def save_checkpoint(self, reason: str) -> Path:
        """Write a checkpoint of finite weights; non-finite weights raise Diverged and write nothing."""
        run_cfg = self.config.run
        finite = weights_finite(self.local_weight_tensors())
        if self.dist.agree([0.0 if finite else 1.0], self.device)[0]:  # every rank takes the same path
            raise Diverged(f"diverged at step {self.step}: the weights are no longer finite (no checkpoint written)")
        folder = checkpoint_dir(self.run_dir, self.step)
        state = {**self.state(), "step": self.step, "last_metrics": self.last_metrics,  # collective under FSDP
                 "last_eval": self.last_eval}
        rank_rng = self.dist.gather_objects(torch.get_rng_state())
        extras = {CHECKPOINT_CONFIG_FILE: dump_toml(self.config), **self._previewed(self.checkpoint_extras, {})}
        if self.dist.is_main:
            if self.dist.enabled:
                state["rank_rng"] = rank_rng
            metrics = {**self.last_eval, **self.last_metrics}  # val metrics live on between evaluations
            meta = {"step": self.step, "kind": self.config.kind, "reason": reason, "metrics": metrics,
                    "finite": True, "world_size": self.dist.world}
            write_checkpoint(folder, self.save_weights, state, meta, extras)
            self._check_best_metric(metrics)
            removed = prune_checkpoints(self.run_dir, run_cfg.keep_last, run_cfg.keep_best, run_cfg.best_mode)
            self.log(f"checkpoint {folder.name} saved ({reason})" + (f"; pruned {len(removed)}" if removed else ""))
        self.saved_step = self.step
        self.dist.wait_for_main()
        return folder

    def _check_best_metric(self, metrics: dict) -> None:
        """Say once when keep_best names a metric this run does not log (a typo keeps no best)."""
        best = self.config.run.keep_best
        if not best or best in metrics or getattr(self, "_best_warned", False):
            return
        if best.startswith("val_") and not self.last_eval and getattr(self.config.train, "eval_every", 0):
            return  # no evaluation yet: val metrics come later
        self._best_warned = True
        names = ", ".join(sorted(k for k in metrics if k not in ("step", "time")))
        self.log(f"warning: run.keep_best = {best!r} is not a metric this run logs ({names}); "
                 f"only the newest {self.config.run.keep_last} checkpoints are kept")

    def _write_status(self, status: RunStatus, state: RunState, throughput: float | None = None) -> None:
        status.state = state
        status.step = self.step
        if throughput is not None and math.isfinite(throughput):
            status.throughput = round(throughput, 2)
        if self.dist.is_main:
            try:
                status.write(self.run_dir)
            except OSError as exc:  # one line naming the file, never a traceback (a full disk is no bug)
                hint = f"free space, then `aigc-tui resume {cli_ref(self.run_dir)}`" if exc.errno in DISK_FULL else None
                raise StorageError(write_failure(exc), hint=hint) from exc

    def run(self) -> RunState:
        """Train to the configured steps; always leaves an end state in status.json."""
        run_cfg = self.config.run
        status = RunStatus.read(self.run_dir)
        if not self.dist.enabled:  # under torchrun the agent's pid is the run's (lost watches it)
            status.pid = os.getpid()
            status.pid_start, status.host = process_start_time(os.getpid()), socket.gethostname()  # H5
        status.device = self.place.describe() + (f" × {self.dist.world} processes" if self.dist.enabled else "")
        status.world_size = self.dist.world
        status.queue_position, status.waiting_for, status.starting = None, "", False
        status.total_steps = run_cfg.steps
        status.throughput_unit = f"{self.items_name}/s"
        status.bank_session()
        status.started_at = status.started_at or time.time()
        status.resumed_at, status.resumed_step = time.time(), self.step  # the ETA counts from here
        status.error = status.traceback = None
        previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
        signal.signal(signal.SIGTERM, lambda *_: self.request_stop("SIGTERM"))
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a dropped terminal never stops training
        writer = MetricsWriter(self.run_dir) if self.dist.is_main else None
        self.guard.start_at(self.step)
        try:
            self._write_status(status, RunState.RUNNING)
            self.log(f"training {self.config.name} on {status.device} from step {self.step} to {run_cfg.steps}")
            try:
                end = self._loop(status, writer)
            except KeyboardInterrupt:
                self.log("interrupted: saving a checkpoint")
                self._save_if_new("interrupted")
                end = RunState.STOPPED
        except AigcError as exc:  # expected: divergence, bad data found late; no traceback needed
            self.log(f"error: {exc.one_line()}")
            status.set_failure(exc)
            self.error = status.error
            end = RunState.FAILED
        except Exception as exc:
            tb = traceback.format_exc()
            self.log(tb)
            if not self.dist.is_main:
                print(f"[rank {self.dist.rank}] {tb}", file=sys.stderr, flush=True)
            status.set_failure(exc)
            self.error = status.error
            end = RunState.FAILED
        finally:
            if writer is not None:
                writer.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        status.ended_at = time.time()
        if end is RunState.FAILED and self.dist.enabled:
            self.log(f"run failed at step {self.step}: {status.error}")
            return end  # the agent writes the end state, naming the rank that failed first
        self._write_status(status, end)  # StorageError when not even the end state could be written
        self.log(f"run ended {end.value} at step {self.step}" + (f": {status.error}" if status.error else ""))
        return end

    def _poll(self, steps_since: int, seconds: float) -> tuple[list[ControlAction], int]:
        """Control requests at a step every rank agrees on (see `agree_on_control`)."""
        stop, actions, gap = agree_on_control(self.dist, self.run_dir, bool(self._stop_reason), steps_since,
                                              seconds, self.device)
        if stop and not self._stop_reason:
            self.request_stop(stop)
        return actions, gap

    def _log_interval(self, status: RunStatus, writer: MetricsWriter | None, items: int, elapsed: float,
                      busy: float, steps: int) -> None:
        self.reduce_metrics()
        values = self.read_metrics()  # the one host sync of the interval
        rank_ms = [round(1000 * t / max(steps, 1), 2) for t in self.dist.gather(busy, self.device)]
        values[f"{self.items_name}_per_s"] = items * self.dist.world / elapsed if elapsed > 0 else math.nan
        if self.dist.enabled:
            values["step_ms_max"] = max(rank_ms)
            status.rank_step_ms = rank_ms
        evaluated = self.eval_metrics()
        self.last_eval.update(evaluated)
        values.update(evaluated)
        if self.device.type == "cuda":
            values["gpu_mem_gb"] = torch.cuda.max_memory_allocated(self.device) / 2**30
        self.last_metrics = values
        if writer is not None:
            writer.write(self.step, values)
        self.log(format_metrics(self.step, self.config.run.steps, values))
        self._write_status(status, RunState.RUNNING, values[f"{self.items_name}_per_s"])

    def _loop(self, status: RunStatus, writer: MetricsWriter | None) -> RunState:
        run_cfg = self.config.run
        items, busy, steps_in_window = 0, 0.0, 0
        window_start = poll_start = time.perf_counter()
        next_poll, polled_at, status_at = self.step, self.step, window_start
        while self.step < run_cfg.steps:
            if self.step >= next_poll:
                now = time.perf_counter()
                actions, gap = self._poll(self.step - polled_at, now - poll_start)
                next_poll, polled_at, poll_start = self.step + gap, self.step, now
                if self.step != status.step and now - status_at >= STATUS_EVERY_S:
                    self._write_status(status, RunState.RUNNING)  # the step between log lines
                    status_at = now
                for action in actions:
                    if action is ControlAction.SAVE:
                        self.save_checkpoint("save requested")
                    elif action is ControlAction.SAMPLE:
                        self._sample()
            if self._stop_reason:
                break
            began = time.perf_counter()
            items += self.train_step()
            busy += time.perf_counter() - began
            steps_in_window += 1
            self.step += 1
            last = self.step == run_cfg.steps
            if self.step % run_cfg.log_every == 0 or last:
                self._log_interval(status, writer, items, time.perf_counter() - window_start, busy, steps_in_window)
                items, busy, steps_in_window, window_start = 0, 0.0, 0, time.perf_counter()
                self.check_divergence()
            if run_cfg.sample_every and self.step % run_cfg.sample_every == 0:
                self._sample()
            if (run_cfg.checkpoint_every and self.step % run_cfg.checkpoint_every == 0) or last:
                self.check_divergence()  # never a checkpoint from inside a diverged streak
                self.save_checkpoint("final" if last else "periodic")
                if last and not (run_cfg.sample_every and self.step % run_cfg.sample_every == 0):
                    self._sample()
        if self._stop_reason:
            self.log(f"stopping ({self._stop_reason})")
            if self._save_if_new("stopped"):
                self._sample()
            return RunState.STOPPED
        return RunState.FINISHED

    def _save_if_new(self, reason: str) -> bool:
        """Save unless no step ran since the newest checkpoint (or none ran at all)."""
        if self.step == 0 or self.saved_step == self.step:
            return False
        self.save_checkpoint(reason)
        return True

    def _sample(self) -> None:
        """Every rank calls it (FSDP needs all of them for a forward); rank 0 writes."""
        path = self._previewed(self.sample, None) if self.dist.is_main or self.sample_needs_all_ranks else None
        if path is not None:
            self.log(f"sample {path.name} written")

    def _previewed(self, make: Any, fallback: Any) -> Any:
        return previewed(make, fallback, self.log, self.step, self.dist.enabled and self.sample_needs_all_ranks)
