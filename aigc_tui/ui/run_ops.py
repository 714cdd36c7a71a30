"""Actions on a run that more than one pane offers (resume), with the user told why not."""

from __future__ import annotations

from typing import Any

from aigc_tui.errors import AigcError
from aigc_tui.runs import CheckpointInfo
from aigc_tui.runs.store import Run


def resume_run(widget: Any, run: Run, checkpoint: CheckpointInfo | None = None) -> bool:
    """Resume a run detached (from `checkpoint` or its newest); notify why not if it can't."""
    # the launcher pulls in the recipe schema: load it when used
    from aigc_tui.launch import restart_note, resume_worker

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
