"""Stopping a run, for `aigc-tui stop` and the app's `x` alike.

A worker acts on a stop request (runs/control.py). A run no worker has claimed yet, `queued`
with no pid (created, and its launcher killed before it started one, or about to start one),
has nobody to act on a request: it is ended here, holding the run's worker lock, so a launcher
starting its worker at that moment either already holds the lock (then the request is left for
its worker) or takes it after us and finds the run stopped (launch/spawn.py refuses then).
"""

from __future__ import annotations

import time

from aigc_tui.errors import AigcError, RunBusy
from aigc_tui.runs.control import ControlAction, request_control
from aigc_tui.runs.lock import RunLock
from aigc_tui.runs.status import RunState, RunStatus, update_status
from aigc_tui.runs.store import Run


def no_worker_yet(status: RunStatus) -> bool:
    """Queued with no pid: created, and no worker (nor launcher on its behalf) has claimed it."""
    return status.state is RunState.QUEUED and status.pid is None


def stop_run(run: Run) -> str:
    """Stop a live run; returns the line to show. AigcError when it is not live."""
    status = run.status()
    if not status.state.is_live:
        raise AigcError(f"run {run.id} is not running (it is {status.state.value})")
    if no_worker_yet(status) and _end_unclaimed(run):
        return f"stopped {run.id}: no worker had started it (`aigc-tui resume {run.id}` starts it)"
    request_control(run.path, ControlAction.STOP)
    return f"stop requested for {run.id}"


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
