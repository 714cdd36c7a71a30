"""Spawn a worker in its own session: closing the app or a dropped SSH connection never stops it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from aigc_tui.runs.status import mark_queued
from aigc_tui.runs.store import Run


def worker_command(run: Run, resume: Path | None = None) -> list[str]:
    tail = ["-m", "aigc_tui.train.worker", str(run.path), "--detached"]
    if resume is not None:
        tail += ["--resume", str(resume)]
    return [sys.executable, *tail]


def spawn_worker(run: Run, resume: Path | None = None) -> int:
    """Start the worker detached (new session, no terminal, output to log.txt); return its pid."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(run.log_path, "ab") as log:
        proc = subprocess.Popen(
            worker_command(run, resume),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            cwd=run.path,
            env=env,
        )
    mark_queued(run.path, proc.pid, by_launcher=True)
    # Reap the child when it ends so a long-lived app collects no zombies.
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    return proc.pid

