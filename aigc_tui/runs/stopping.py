"""Stopping a run, for `aigc-tui stop` and the app's `x` alike.

A worker acts on a stop request (runs/control.py). A run no worker has claimed yet, `queued`
with no pid (created, and its launcher killed before it started one, or about to start one),
has nobody to act on a request: it is ended here, holding the run's worker lock, so a launcher
starting its worker at that moment either already holds the lock (then the request is left for
its worker) or takes it after us and finds the run stopped (launch/spawn.py refuses then).

A script run whose supervisor died (kill -9, the OOM killer) while its command runs on has
nobody to act on a request either: the command's process group is signalled from here.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

from aigc_tui.errors import AigcError, RunBusy
from aigc_tui.runs.control import ControlAction, request_control
from aigc_tui.runs.layout import cli_ref
from aigc_tui.runs.lock import RunLock
from aigc_tui.runs.script import clear_stop_requests, stop_requests
from aigc_tui.runs.status import (
    RunState,
    RunStatus,
    elsewhere,
    force_hint,
    supervisor_gone,
    update_status,
    worker_words,
)
from aigc_tui.runs.store import Run


def no_worker_yet(status: RunStatus) -> bool:
    """Queued with no pid: created, and no worker (nor launcher on its behalf) has claimed it."""
    return status.state is RunState.QUEUED and status.pid is None


def stop_run(run: Run, force: bool = False) -> str:
    """Stop a live run; returns the line to show. AigcError when it is not live.

    A worker on another host cannot be checked from here: the request is left for it (on a
    shared filesystem it acts on it) and the line says so; `force` then marks the run lost."""
    status = run.status()
    if not status.state.is_live:
        raise AigcError(f"run {run.id} is not running (it is {status.state.value})")
    if no_worker_yet(status) and _end_unclaimed(run):
        return f"stopped {run.id}: no worker had started it (`aigc-tui resume {cli_ref(run.path)}` starts it)"
    if supervisor_gone(status):
        return _stop_unsupervised(run, status)
    request_control(run.path, ControlAction.STOP)
    if elsewhere(status):
        if force:
            return _mark_lost(run, status)
        return f"stop requested for {run.id}, whose worker is {worker_words(status)}; {force_hint(run.path)}"
    return f"stop requested for {run.id}"


def _mark_lost(run: Run, status: RunStatus) -> str:
    """`stop --force` of a run whose worker is on another host: record it lost, as a reader here
    would if it could see that host (if the worker still runs, it stops at its next poll)."""
    words = worker_words(status).split(";")[0]
    why = f"its worker ({words}) was given up by `stop --force` on {socket.gethostname()}"

    def mutate(current: RunStatus) -> bool:
        if not (elsewhere(current) and current.pid == status.pid and current.host == status.host):
            return False
        current.state, current.ended_at = RunState.LOST, current.updated_at
        current.error, current.traceback = why, None
        return True

    if update_status(run.path, mutate).state is not RunState.LOST:
        raise AigcError(f"run {run.id} changed while being marked; see `aigc-tui runs`")
    return f"marked {run.id} lost: {why} (`aigc-tui resume {cli_ref(run.path)}` continues it here)"


ESCALATION = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)  # as the supervisor sends them


def _stop_unsupervised(run: Run, status: RunStatus) -> str:
    """Do what the dead supervisor would: signal the command's process group, one step further
    each time (SIGINT, SIGTERM, SIGKILL); the request files left behind count the steps."""
    assert status.pid is not None
    sig = ESCALATION[min(len(stop_requests(run.path)), len(ESCALATION) - 1)]
    request_control(run.path, ControlAction.STOP)  # a script polling should_stop() sees it too
    gone = f"the supervisor of {run.id} (pid {status.supervisor_pid}) is gone"
    try:
        if os.getpgid(status.pid) != status.pid:
            raise ProcessLookupError
        os.killpg(status.pid, sig)
    except ProcessLookupError:
        return f"{gone}, and its command (pid {status.pid}) has ended; the run reads lost"
    except PermissionError:
        raise AigcError(f"{gone}; its command (pid {status.pid}) is not yours to signal",
                        hint=f"kill -INT -{status.pid} as its owner") from None
    if _ended_soon(status):  # what the supervisor would have written: stopped, when, and no request left
        return f"{gone}: sent {sig.name} to its command (process group {status.pid}), {_record_stopped(run, status, sig)}"
    after = ("`aigc-tui stop` again sends SIGTERM" if sig is signal.SIGINT else
             "`aigc-tui stop` again sends SIGKILL" if sig is signal.SIGTERM else "it cannot outlive that")
    return (f"{gone}: sent {sig.name} to its command (process group {status.pid}); {after}. "
            "Nobody records how it ends: the run will read lost")


ENDED_WAIT_S = 1.5  # most commands die of SIGINT at once; a slower one keeps the escalation steps


def _ended_soon(status: RunStatus) -> bool:
    """True once the command (the group's leader) is gone or a zombie nobody reaps yet."""
    deadline = time.monotonic() + ENDED_WAIT_S
    while True:
        try:
            fields = Path(f"/proc/{status.pid}/stat").read_text().rsplit(")", 1)[1].split()
            if fields[0] == "Z" or (status.pid_start is not None and int(fields[19]) != status.pid_start):
                return True
        except (OSError, IndexError, ValueError):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _record_stopped(run: Run, status: RunStatus, sig: signal.Signals) -> str:
    """End the run `stopped` (its time counts to now) and drop the served stop requests (tester7 H4)."""
    def mutate(current: RunStatus) -> bool:
        if current.state not in (RunState.RUNNING, RunState.LOST) or current.pid != status.pid:  # lost: judged now
            return False
        current.state, current.ended_at, current.exit_code = RunState.STOPPED, time.time(), -int(sig)
        current.error = current.traceback = None
        return True

    ended = update_status(run.path, mutate).state is RunState.STOPPED
    clear_stop_requests(run.path)
    return "and it ended: the run is stopped" if ended else "and it ended"


def _end_unclaimed(run: Run) -> bool:
    """End a run no worker has claimed `stopped`; False when a launcher holds its lock now."""
    try:
        lock = RunLock.acquire(run.path, ending_grace_s=0.0)
    except RunBusy:
        return False  # its worker is being started: it acts on the stop request
    try:
        def mutate(status: RunStatus) -> bool:
            if not no_worker_yet(status):
                return False
            status.state, status.ended_at = RunState.STOPPED, time.time()
            status.error = status.traceback = None
            return True

        return update_status(run.path, mutate).state is RunState.STOPPED
    finally:
        lock.close()
