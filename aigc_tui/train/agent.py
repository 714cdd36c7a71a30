"""The process a launch starts: wait for devices in the queue, then train here or under torchrun.

This process is the run's agent: its pid is in status.json (so `lost` watches it), it holds the
device locks for the run's life, and with more than one process it runs torchrun
(`torch.distributed.run`, c10d rendezvous) in-process, so when a rank dies it can write which
rank and why into status.json instead of leaving only a log.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aigc_tui.config import RecipeConfig, config_from_toml
from aigc_tui.runs.control import CONTROL_DIR, take_requests
from aigc_tui.runs.queue import DeviceLease, QueueCancelled, request_for, wait_for_devices
from aigc_tui.runs.status import RunState, RunStatus, mark_queued, update_status
from aigc_tui.runs.store import Run
from aigc_tui.train.early_stop import EARLY

Log = Callable[[str], None]


def _stop_requested(run: Run) -> bool:
    """A stop request (left for the trainer) or an end state written by someone else."""
    folder = run.path / CONTROL_DIR
    if folder.is_dir() and any(p.name.endswith("-stop.json") or "-stop-" in p.name for p in folder.iterdir()):
        return True
    try:
        return not RunStatus.read(run.path).state.is_live
    except OSError:
        return False


def acquire_devices(run: Run, config: RecipeConfig, log: Log, node_rank: int) -> DeviceLease | None:
    """Queue for the run's GPUs (or CPU slots) until they are free; None when it needs no queue.

    Either way the run then reads `starting` (status.starting) until its trainer writes `running`."""
    request = request_for(config.run.gpus, config.run.nproc, config.run.slots)
    if request is None:
        if node_rank == 0:
            update_status(run.path, _starting)
        return None
    terminated: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda *_: terminated.append(1))

    def at(position: int) -> None:
        log(f"queued for {request.describe()}: position {position}")
        if node_rank == 0:
            update_status(run.path, lambda s: _queued(s, position, request.describe()))

    try:
        lease = wait_for_devices(run.path.parent, run.id, request, at,
                                 cancelled=lambda: bool(terminated) or EARLY.reason is not None or _stop_requested(run))
    finally:
        signal.signal(signal.SIGTERM, previous)
    if terminated and callable(previous):  # a SIGTERM as the lease came through: hand it on, never drop it
        previous(signal.SIGTERM, None)
    log(f"got {request.kind} {','.join(map(str, lease.devices))}")
    if node_rank == 0:
        update_status(run.path, _starting)
    return lease


def _queued(status: RunStatus, position: int, what: str) -> bool:
    if status.state is not RunState.QUEUED:
        return False
    status.queue_position, status.waiting_for, status.starting = position, what, False
    return True


def _starting(status: RunStatus) -> bool:
    """Out of the queue (or never in it): `starting` until the trainer writes `running`, never
    the last `queued #N` it saw."""
    if status.state is not RunState.QUEUED:
        return False  # stopped meanwhile, or already running
    status.queue_position, status.waiting_for, status.starting = None, "", True
    return True


def _config_steps(run: Run) -> int:
    from aigc_tui.train.worker import _config_steps as steps

    return steps(run)


def _end(run: Run, state: RunState, error: str | None = None, traceback: str | None = None) -> None:
    def mark(status: RunStatus) -> bool:
        if not (status.state.is_live or status.state is RunState.LOST or (error and status.state is RunState.FAILED)):
            return False  # rank 0 already wrote how it ended
        status.state, status.ended_at, status.queue_position = state, time.time(), None
        status.total_steps = status.total_steps or _config_steps(run)  # `stopped at step 0/3000`, not 0/0
        if error:
            status.error, status.traceback = error, traceback
        return True

    update_status(run.path, mark)


def run_agent(run: Run, resume: Path | None, log: Log, detached: bool, node_rank: int) -> RunState:
    from aigc_tui.train.worker import fail, stop_early, train_here

    if node_rank == 0:
        mark_queued(run.path, os.getpid())  # before anything can fail, so a crash reads as lost
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a dropped terminal never stops training
    try:
        config = config_from_toml(run.config_path.read_text())
        lease = acquire_devices(run, config, log, node_rank)
    except QueueCancelled as exc:
        log(f"{exc}; left the queue")
        if node_rank == 0:
            take_requests(run.path)  # the stop was for the queued run; a later resume starts clean
            _end(run, RunState.STOPPED)
        return RunState.STOPPED
    except KeyboardInterrupt:  # a second Ctrl-C while it started
        return stop_early(run, log) if node_rank == 0 else RunState.STOPPED
    except Exception as exc:
        return fail(run, log, exc) if node_rank == 0 else RunState.FAILED
    try:
        if lease is not None and lease.request.kind == "gpu":
            os.environ["CUDA_VISIBLE_DEVICES"] = ",".join(map(str, lease.devices))
        nproc = len(lease.devices) if lease is not None and lease.request.kind == "gpu" else config.run.nproc
        if nproc == 1 and config.run.nnodes == 1:
            return train_here(run, resume, log)[0]
        return run_torchrun(run, config, nproc, node_rank, resume, detached, log)
    finally:
        if lease is not None:
            lease.release()


def torchrun_argv(run: Run, config: RecipeConfig, nproc: int, node_rank: int, resume: Path | None,
                  detached: bool) -> list[str]:
    """The torchrun command line (without the program name) that trains this run."""
    cfg = config.run
    argv = [f"--nproc-per-node={nproc}", f"--max-restarts={cfg.max_restarts}",
            "--signals-to-handle=SIGTERM,SIGINT,SIGQUIT"]  # not SIGHUP: a dropped terminal never stops training
    if cfg.nnodes > 1:
        argv += [f"--nnodes={cfg.nnodes}", f"--node-rank={node_rank}", "--rdzv-backend=c10d",
                 f"--rdzv-endpoint={cfg.rdzv_endpoint}", f"--rdzv-id={run.id}"]
    else:
        argv += ["--standalone"]  # a free local port, found by torchrun
    argv += ["--module", "aigc_tui.train.worker", str(run.path)]
    if detached:
        argv.append("--detached")
    if resume is not None:
        argv += ["--resume", str(resume)]
    return argv


def run_torchrun(run: Run, config: RecipeConfig, nproc: int, node_rank: int, resume: Path | None,
                 detached: bool, log: Log) -> RunState:
    """torchrun in this process; a failed rank ends the run `failed` with that rank named.

    A SIGINT/SIGTERM before torchrun is up is not lost (it installs its own handlers only as it
    starts the ranks): one that came while the run was starting ends it `stopped` with no torchrun,
    and one during torchrun's own start-up raises its SignalException, as its handler would."""
    from aigc_tui.train.worker import stop_early

    try:
        from torch.distributed.elastic.multiprocessing.api import SignalException
        from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
        from torch.distributed.run import get_args_parser
        from torch.distributed.run import run as torchrun
    except KeyboardInterrupt:  # a second Ctrl-C while torch was loading
        return stop_early(run, log)

    def stop_torchrun(signum: int) -> None:
        sigval = signal.Signals(signum)
        raise SignalException(f"got {sigval.name} while torchrun was starting", sigval=sigval)

    argv = torchrun_argv(run, config, nproc, node_rank, resume, detached)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        EARLY.on_stop = stop_torchrun  # armed before the check, so no stop falls between the two
        if EARLY.reason is not None:  # stopped while starting: torchrun never starts
            EARLY.on_stop = None
            return stop_early(run, log) if node_rank == 0 else RunState.STOPPED
        log(f"torchrun {' '.join(argv)}")
        torchrun(get_args_parser().parse_args(argv))
    except ChildFailedError as exc:
        rank, failure = _root_cause(exc)
        why = _failure_text(failure)
        error = f"rank {rank} (local rank {failure.local_rank} on {socket.gethostname()}) failed: {why}"
        log(error)
        _end(run, RunState.FAILED, error, _traceback(failure))
        return RunState.FAILED
    except SignalException as exc:
        EARLY.reason = EARLY.reason or exc.sigval.name  # a foreground `train` says interrupted, exits 130
        log(f"torchrun stopped by {exc.sigval.name}")
    except Exception as exc:  # rendezvous timeouts and the like
        error = f"torchrun: {type(exc).__name__}: {exc}".splitlines()[0][:500]
        log(error)
        _end(run, RunState.FAILED, error)
        return RunState.FAILED
    finally:
        EARLY.on_stop = None
        EARLY.take_back()  # torchrun's handlers stay installed after it returns: a late Ctrl-C must not raise
    status = RunStatus.read(run.path)
    if status.state.is_live or status.state is RunState.LOST:
        _end(run, RunState.STOPPED)
        return RunState.STOPPED
    return status.state


def _root_cause(exc: Any) -> tuple[int, Any]:
    """The rank that died first: a rank killed by a signal is the cause, peers' errors its echo."""
    killed = {r: f for r, f in exc.failures.items() if f.exitcode < 0}
    if killed:
        rank = min(killed, key=lambda r: killed[r].timestamp)
        return rank, killed[rank]
    return exc.get_first_failure()


def _traceback(failure: Any) -> str | None:
    message = getattr(failure, "message", None)
    if isinstance(message, dict):
        stack = message.get("extraInfo", {}).get("py_callstack", "")
        return "\n".join(str(stack).splitlines()[-15:]) or None
    return None


def _failure_text(failure: object) -> str:
    """A signal's name, or the exception message the rank's error file holds, or the exit code."""
    exitcode = getattr(failure, "exitcode", 1)
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
    message = getattr(failure, "message", "")
    if isinstance(message, dict):
        message = message.get("message", "")
    text = str(message or "").strip().splitlines()
    return (text[-1] if text else f"exit code {exitcode}")[:400]
