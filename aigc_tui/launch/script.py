"""Start a script run's supervisor detached: it outlives the terminal, the app and SSH."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable

from aigc_tui.runs.lock import RunLock
from aigc_tui.runs.members import open_append, refuse_symlinks
from aigc_tui.runs.queue import DeviceLease, request_for, wait_for_devices
from aigc_tui.runs.script import stop_requests
from aigc_tui.runs.status import RunState, RunStatus, process_start_time, update_status
from aigc_tui.runs.store import Run


def spawn_supervisor(run: Run) -> int:
    """`python -m aigc_tui.launch.supervise RUN_DIR` in its own session; returns its pid.

    Like a recipe worker's launcher, it takes the run's worker lock first and hands it over
    (pass_fds), so a run never has two supervisors. Until the supervisor has started the
    command, status.json holds the supervisor's pid, so one that dies at once reads as lost.
    """
    refuse_symlinks(run.path)
    lock = RunLock.acquire(run.path)
    try:
        log_fd = open_append(run.log_path)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "aigc_tui.launch.supervise", str(run.path), "--lock-fd", str(lock.fd)],
                stdin=subprocess.DEVNULL, stdout=log_fd, stderr=subprocess.STDOUT,
                start_new_session=True, close_fds=True, pass_fds=(lock.fd,), cwd=run.path, env=dict(os.environ),
            )
        finally:
            os.close(log_fd)
        lock.record(proc.pid)
    finally:
        lock.close()  # the supervisor holds it now (same open file description)

    def queued(status: RunStatus) -> bool:
        if status.pid is not None:
            return False  # the supervisor already recorded the command's pid
        status.state = RunState.QUEUED
        status.pid, status.pid_start = proc.pid, process_start_time(proc.pid)
        status.host = socket.gethostname()
        return True

    update_status(run.path, queued)
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    return proc.pid


def wait_for_gpus(run: Run, gpus: str, say: Callable[[str], None]) -> DeviceLease | None:
    """Queue for the GPUs `--gpus` names (first come, first served, with `aigc-tui train` runs);
    None when it names none. Raises QueueCancelled when the run is stopped while it waits."""
    request = request_for(gpus) if gpus else None
    if request is None:
        return None

    def at(position: int) -> None:
        say(f"queued for {request.describe()}: position {position}")

        def mark(status: RunStatus) -> bool:
            status.queue_position, status.waiting_for = position, request.describe()
            return status.state is RunState.QUEUED

        update_status(run.path, mark)

    lease = wait_for_devices(run.path.parent, run.id, request, at, cancelled=lambda: bool(stop_requests(run.path)))
    say(f"got gpu {','.join(map(str, lease.devices))}")
    return lease
