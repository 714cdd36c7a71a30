"""Actions on a run that more than one pane offers (resume), with the user told why not."""

from __future__ import annotations

from typing import Any

from aigc_tui.errors import AigcError
from aigc_tui.runs import CheckpointInfo
from aigc_tui.runs.store import Run


def resume_run(widget: Any, run: Run, checkpoint: CheckpointInfo | None = None) -> bool:
    """Resume a run detached (from `checkpoint` or its newest); notify why not if it can't."""
    from aigc_tui.launch import resume_worker  # pulls in the recipe schema: load it when used

    try:
        resume_worker(run, checkpoint)  # the one resume rule, shared with `aigc-tui resume`
    except AigcError as exc:
        widget.notify(str(exc), severity="warning")
        return False
    widget.notify(f"resuming {run.name}" + (f" from {checkpoint.name}" if checkpoint else ""))
    return True
