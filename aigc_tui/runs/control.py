"""Control requests: the UI or CLI drops a file in control/; the worker acts and removes it."""

from __future__ import annotations

import json
import time
import uuid
from enum import StrEnum
from pathlib import Path

from aigc_tui.runs.atomic import atomic_write_json
from aigc_tui.runs.layout import CONTROL_DIR
from aigc_tui.runs.members import refuse_symlinks


class ControlAction(StrEnum):
    STOP = "stop"  # save a checkpoint, then end `stopped`
    SAVE = "save"  # save a checkpoint now
    SAMPLE = "sample"  # write a sample now


def request_control(run_dir: Path, action: ControlAction | str) -> Path:
    action = ControlAction(action)
    refuse_symlinks(run_dir, (CONTROL_DIR,))
    path = Path(run_dir) / CONTROL_DIR / f"{time.time():.6f}-{action.value}-{uuid.uuid4().hex[:6]}.json"
    atomic_write_json(path, {"action": action.value, "time": time.time()})
    return path


def take_requests(run_dir: Path) -> list[ControlAction]:
    """Worker side: read pending requests in order, remove them, return their actions."""
    folder = Path(run_dir) / CONTROL_DIR
    try:
        names = sorted(p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith("."))
    except FileNotFoundError:
        return []
    actions = []
    for path in names:
        try:
            actions.append(ControlAction(json.loads(path.read_text())["action"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        path.unlink(missing_ok=True)
    return actions
