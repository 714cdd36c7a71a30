"""Spawn a worker in its own session: closing the app or a dropped SSH connection never stops it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from aigc_tui.runs.status import mark_queued
from aigc_tui.runs.store import Run


def worker_command(run: Run, resume: Path | None = None, node_rank: int = 0) -> list[str]:
    tail = ["-m", "aigc_tui.train.worker", str(run.path), "--detached"]
    if resume is not None:
        tail += ["--resume", str(resume)]
    if node_rank:
        tail += ["--node-rank", str(node_rank)]
    return [sys.executable, *tail]


def log_path(run: Run, node_rank: int = 0) -> Path:
    """Node 0 writes the run's log.txt; the other nodes of a multi-node run log.node<K>.txt."""
    return run.log_path if node_rank == 0 else run.path / f"log.node{node_rank}.txt"


def spawn_worker(run: Run, resume: Path | None = None, node_rank: int = 0) -> int:
    """Start the worker (the run's agent) detached: new session, no terminal, output to the log; its pid."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(log_path(run, node_rank), "ab") as log:
        proc = subprocess.Popen(
            worker_command(run, resume, node_rank),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            cwd=run.path,
            env=env,
        )
    if node_rank == 0:  # node 0's agent is the run's process; other nodes only take part
        mark_queued(run.path, proc.pid, by_launcher=True)
    # Reap the child when it ends so a long-lived app collects no zombies.
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    return proc.pid

