"""Start a script run's supervisor detached: it outlives the terminal, the app and SSH."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from aigc_tui.runs.status import RunState, RunStatus, process_start_time, update_status
from aigc_tui.runs.store import Run


def spawn_supervisor(run: Run) -> int:
    """`python -m aigc_tui.launch.supervise RUN_DIR` in its own session; returns its pid.

    Until the supervisor has started the command, status.json holds the supervisor's pid, so
    a supervisor that dies at once reads as lost rather than queued forever.
    """
    with open(run.log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "aigc_tui.launch.supervise", str(run.path)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True, cwd=run.path, env=dict(os.environ),
        )

    def queued(status: RunStatus) -> bool:
        if status.pid is not None:
            return False  # the supervisor already recorded the command's pid
        status.state = RunState.QUEUED
        status.pid, status.pid_start = proc.pid, process_start_time(proc.pid)
        return True

    update_status(run.path, queued)
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    return proc.pid
