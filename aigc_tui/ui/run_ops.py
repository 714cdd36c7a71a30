"""Actions on a run that more than one pane offers (resume, extend, stop), with the user told why not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.worker import WorkerState

from aigc_tui.errors import AigcError
from aigc_tui.runs import CheckpointInfo
from aigc_tui.runs.layout import can_resume
from aigc_tui.runs.stopping import stop_run
from aigc_tui.runs.store import Run


def stop_in_background(widget: Any, run: Run, name: str, then: Callable[[], object]) -> None:
    """`x`: stop a live run without holding up the app. Most stops only drop a request file, but a script
    run whose supervisor died has its command signalled from here, waiting up to 1.5 s for it to end
    (runs/stopping.py, tester7 H4): so the stop runs in a thread, its line comes back as a toast and
    `then` (the pane re-reading its runs) follows. A second `x` while one is under way waits for it."""
    worker = f"stop {run.id}"
    if any(w.name == worker and w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in widget.workers):
        widget.notify(f"still stopping {name}", severity="warning")
        return

    def stop() -> None:
        try:
            line, severity = stop_run(run).replace(run.id, name, 1), "information"
        except AigcError as exc:
            line, severity = str(exc), "warning"

        def tell() -> None:
            widget.notify(line, severity=severity)
            then()

        try:
            widget.app.call_from_thread(tell)
        except RuntimeError:  # the app closed meanwhile: the stop itself is done
            pass

    widget.run_worker(stop, name=worker, group="stop", thread=True, exit_on_error=False)


def resume_run(widget: Any, run: Run, checkpoint: CheckpointInfo | None = None) -> bool:
    """Resume a run detached (from `checkpoint` or its newest); notify why not if it can't.
    A run that trained all its steps at its newest checkpoint asks for a new total first (extend)."""
    # the launcher pulls in the recipe schema: load it when used
    from aigc_tui.launch import restart_note, resume_worker

    if _offer_extend(widget, run, checkpoint):
        return False
    note = restart_note(run, checkpoint)  # one that ended before its first checkpoint starts over
    try:
        resume_worker(run, checkpoint)  # the one resume rule, shared with `aigc-tui resume`
    except AigcError as exc:
        widget.notify(str(exc), severity="warning")
        return False
    if note:
        widget.notify(f"restarting {run.name}: {note}")
    else:
        widget.notify(f"resuming {run.name}" + (f" from {checkpoint.name}" if checkpoint else ""))
    return True


def _offer_extend(widget: Any, run: Run, checkpoint: CheckpointInfo | None) -> bool:
    """Open the extend dialog when the run's newest checkpoint (the one resumed) is at its total."""
    verdict = can_resume(run, checkpoint)
    start = verdict.start
    if verdict.ok or verdict.busy or start is None:
        return False
    newest = [c for c in run.checkpoints() if c.resumable]  # refused with a start: it trained all its steps
    if not newest or newest[-1].path != start.path:
        return False  # an earlier checkpoint past a lowered total: resume_worker says why
    from aigc_tui.launch.extend import extend_run
    from aigc_tui.ui.extend_screen import ExtendScreen

    def extend(steps: int) -> str:
        try:
            extend_run(run, steps)  # `aigc-tui resume RUN --set run.steps=N --detach`
        except AigcError as exc:
            return exc.one_line()
        widget.notify(f"extending {run.name} to {steps} steps: resuming from {start.name}")
        return ""

    widget.app.push_screen(ExtendScreen(run.name, start.step, start.name, extend))
    return True
