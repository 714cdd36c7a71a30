"""Spawn a worker in its own session: closing the app or a dropped SSH connection never stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from aigc_tui.errors import AigcError
from aigc_tui.runs.control import take_requests
from aigc_tui.runs.layout import cli_ref
from aigc_tui.runs.lock import RunLock
from aigc_tui.runs.members import open_append, refuse_symlinks
from aigc_tui.runs.status import RunState, RunStatus, mark_queued
from aigc_tui.runs.store import Run

# Held blocked from fork until the worker has its handlers: a SIGTERM in its first
# milliseconds waits for them instead of killing it before it can write `stopped`.
EARLY_SIGNALS = {signal.SIGTERM, signal.SIGHUP, signal.SIGINT}


def worker_command(run: Run, resume: Path | None = None, node_rank: int = 0, lock_fd: int | None = None) -> list[str]:
    tail = ["-m", "aigc_tui.train.worker", str(Path(run.path).absolute()), "--detached"]
    if resume is not None:
        tail += ["--resume", str(Path(resume).absolute())]
    if node_rank:
        tail += ["--node-rank", str(node_rank)]
    if lock_fd is not None:
        tail += ["--lock-fd", str(lock_fd)]
    return [sys.executable, *tail]


def log_path(run: Run, node_rank: int = 0) -> Path:
    """Node 0 writes the run's log.txt; the other nodes of a multi-node run log.node<K>.txt."""
    return run.log_path if node_rank == 0 else run.path / f"log.node{node_rank}.txt"


def claim_run(run: Run, new: bool = False) -> RunLock:
    """The run's worker lock, for the worker this process starts (RunBusy if one is live).

    Control requests still in the run were for a worker that ended without reading them (killed
    after a `stop`): they are dropped, or the new worker would stop at once. A request made from
    now on is for the new worker (the lock is held: `stop` leaves it a request).
    `new`: the run was just created here, so it must still be queued; a `stop` that came between
    its creation and this lock ended it (runs/stopping.py), and it stays stopped."""
    lock = RunLock.acquire(run.path)
    if new and RunStatus.read(run.path).state in (RunState.STOPPED, RunState.FINISHED, RunState.FAILED):
        lock.close()
        raise AigcError(f"run {run.id} was stopped before its worker started",
                        f"`aigc-tui resume {cli_ref(run.path)}` starts it")
    take_requests(run.path)
    return lock


def spawn_worker(run: Run, resume: Path | None = None, node_rank: int = 0, new: bool = False) -> int:
    """Start the worker (the run's agent) detached: new session, no terminal, output to the log; its pid.

    Node 0's launcher takes the run's worker lock first and hands it to the worker, so a run
    never has two (RunBusy, naming the live pid); other nodes of a multi-node run only take part.
    `new`: the run was just created by this launcher (see `claim_run`).
    """
    refuse_symlinks(run.path)
    lock = claim_run(run, new) if node_rank == 0 else None
    try:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        log_fd = open_append(log_path(run, node_rank))
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, EARLY_SIGNALS)  # the child inherits the mask
        try:
            proc = subprocess.Popen(
                worker_command(run, resume, node_rank, lock.fd if lock else None),
                stdin=subprocess.DEVNULL,
                stdout=log_fd,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
                pass_fds=(lock.fd,) if lock else (),
                cwd=run.path,
                env=env,
            )
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
            os.close(log_fd)
        if lock:
            lock.record(proc.pid)
    finally:
        if lock:
            lock.close()  # the child holds the lock now (same open file description)
    if node_rank == 0:  # node 0's agent is the run's process; other nodes only take part
        try:
            mark_queued(run.path, proc.pid, by_launcher=True)
        except OSError:  # the worker is started and marks itself queued first thing: not a failed start
            pass
    # Reap the child when it ends so a long-lived app collects no zombies.
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    return proc.pid

