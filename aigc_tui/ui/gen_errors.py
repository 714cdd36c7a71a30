"""Generate's status line for an error: the reason first, paths shortened, so it reads at 80 columns.

`error: /home/u/.../runs/2026...-lm2-1341/checkpoints/step-00000030 does not exist` lost its reason
off the right edge (tester6 G19); a checkpoint deleted from another shell now reads
`error: checkpoint lm2@30 is gone (deleted or moved)` and the pane reloads its model list.
"""

from __future__ import annotations

import re
from pathlib import Path

from rich.markup import escape

LONG_PATH = re.compile(r"/[^\s'\"]*/([^\s'\"/]+/[^\s'\"/]+)")  # an absolute path: keep its last 2 parts


def gone_checkpoint(ref: str, labels: dict[str, str]) -> str | None:
    """The picker label of `ref` when it is a listed checkpoint whose folder no longer exists."""
    if ref in labels and not Path(ref).exists():
        return labels[ref].rsplit(" (", 1)[0]
    return None


def error_line(message: str, ref: str, labels: dict[str, str]) -> str:
    """Markup for the status: `error: checkpoint X is gone ...`, else the message with paths as …/a/b."""
    label = gone_checkpoint(ref, labels)
    if label is not None:
        return f"[red]error: checkpoint {escape(label)} is gone (deleted or moved); the model list was reloaded[/]"
    short = LONG_PATH.sub(lambda m: "…/" + m.group(1), message)
    return f"[red]error: {escape(short)}[/]"


def newest_instead(ref: str, labels: dict[str, str]) -> tuple[str, str] | None:
    """For a listed checkpoint its run has pruned since (a live run's keep_last): the run's newest
    checkpoint of the same kind, and the line that says so (tester7 H10). None otherwise."""
    gone = gone_checkpoint(ref, labels)
    if gone is None:
        return None
    from aigc_tui.runs.checkpoints import list_checkpoints, read_checkpoint

    folder = Path(ref)
    kind = labels[ref].rsplit(" (", 1)[1].rstrip(")") if " (" in labels[ref] else ""
    newer = [c for c in list_checkpoints(folder.parent.parent) if (c.kind or "") == kind and c.path.exists()]
    if not newer or read_checkpoint(newer[-1].path) is None:
        return None
    run = gone.rsplit("@", 1)[0]
    return str(newer[-1].path), f"{gone} is gone (pruned by its run?); using {run}@{newer[-1].step}, its newest"


def pruned_line(current: str | None, value: str | None, before: dict[str, str], now: dict[str, str]) -> str | None:
    """The line saying a reload replaced the checkpoint on show, gone from disk, by its run's newest."""
    if current is None or value is None or value == current or current in now or current not in before:
        return None
    gone, newest = (labels[ref].rsplit(" (", 1)[0] for labels, ref in ((before, current), (now, value)))
    return f"{gone} is gone (pruned by its run?); using {newest}, its newest"
