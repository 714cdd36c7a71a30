"""Live runs that still have to load another run's checkpoint (a queued or starting fork or
fine-tune names it in status.json's parent.checkpoint): deleting it would fail them later."""

from __future__ import annotations

import json
from pathlib import Path

from aigc_tui.errors import RunBusy
from aigc_tui.runs.checkpoints import list_checkpoints
from aigc_tui.runs.layout import STATUS_FILE, cli_ref
from aigc_tui.runs.status import LIVE_STATES, RunStatus


def _inside(path: Path, target: Path) -> bool:
    return path == target or target in path.parents


def waiting_children(runs_root: Path, target: Path) -> list[tuple[str, str, Path]]:
    """(run id, state, parent checkpoint) of each live run whose parent checkpoint is `target` or lies under it,
    and that has no checkpoint of its own yet (so it may still have to load it)."""
    target = Path(target).resolve()
    found = []
    for status_file in sorted(Path(runs_root).glob(f"*/{STATUS_FILE}")):
        try:
            data = json.loads(status_file.read_text())
            parent = Path(str((data.get("parent") or {})["checkpoint"])).resolve()
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        if data.get("state") not in LIVE_STATES or not _inside(parent, target):
            continue
        run_dir = status_file.parent
        status = RunStatus.read(run_dir)  # judges liveness: a vanished worker is not waiting
        if status.state.is_live and not list_checkpoints(run_dir):
            found.append((run_dir.name, status.state.value, parent))
    return found


def refuse_if_needed(runs_root: Path, target: Path, what: str) -> None:
    """RunBusy naming the live run that still needs `target` (a checkpoint or a whole run)."""
    children = waiting_children(runs_root, target)
    if children:
        child, state, _ = children[0]
        raise RunBusy(f"{what} is where live run {child} ({state}) starts from, and it has not saved a checkpoint "
                      "of its own yet; delete it once that run has one", f"or stop it first: `aigc-tui stop {cli_ref(Path(runs_root) / child)}`")
