"""Crash leftovers: temp files and half-built checkpoint folders of a writer that was killed.

Atomic writes build under a dot-name ending in `.tmp` (files, checkpoint folders) and move
a replaced checkpoint aside as `.<name>.old` for an instant. A SIGKILL in between leaves
those behind; the next worker removes them at start, while it holds the run's lock, so no
other worker can own them. Other processes write into the run too, at any time: the launcher
and `stop` write status.json, the app and `tag` write notes.json (each under its own lock,
which the cleanup takes before removing that file's temp files), and the app and CLI drop
control requests (a temp file younger than a minute may be one in flight, and is left).
Symlinks are never followed or deleted through.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from aigc_tui.runs.checkpoints import CHECKPOINTS_DIR
from aigc_tui.runs.layout import CONTROL_DIR, NOTES_FILE, STATUS_FILE
from aigc_tui.runs.notes import notes_lock
from aigc_tui.runs.status import status_lock

LEFTOVER_DIRS = ("", CHECKPOINTS_DIR, "samples", CONTROL_DIR)
IN_FLIGHT_S = 60.0  # a control request's temp file younger than this may be being written now
# Files other processes write under a lock: their temp files are removed holding that lock,
# when no writer can be between its temp file and the rename (a launcher's was removed under it).
LOCKED_WRITERS: dict[str, Callable[[Path], AbstractContextManager]] = {
    STATUS_FILE: status_lock, NOTES_FILE: notes_lock,
}


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _younger_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.lstat().st_mtime < seconds
    except FileNotFoundError:
        return True  # gone already: nothing to clean


def clean_leftovers(run_dir: Path) -> list[str]:
    """Remove (or, for a moved-aside checkpoint whose replacement never landed, restore) leftovers."""
    cleaned: list[str] = []
    for sub in LEFTOVER_DIRS:
        folder = Path(run_dir) / sub
        if folder.is_symlink() or not folder.is_dir():
            continue
        for entry in folder.iterdir():
            name = entry.name
            if not name.startswith("."):
                continue
            if name.endswith(".tmp"):
                if sub == CONTROL_DIR and _younger_than(entry, IN_FLIGHT_S):
                    continue
                lock = next((take for target, take in LOCKED_WRITERS.items()
                             if not sub and name.startswith(f".{target}.")), None)
                with lock(Path(run_dir)) if lock else nullcontext():
                    if not os.path.lexists(entry):  # its writer renamed it while we waited
                        continue
                    _remove(entry)
                cleaned.append(f"{sub}/{name}".lstrip("/"))
            elif name.endswith(".old") and sub == CHECKPOINTS_DIR:
                original = folder / name[1:-len(".old")]
                if not os.path.lexists(original) and entry.is_dir() and not entry.is_symlink():
                    os.replace(entry, original)  # killed between the two renames: the old one is whole
                else:
                    _remove(entry)
                cleaned.append(f"{sub}/{name}")
    return cleaned
