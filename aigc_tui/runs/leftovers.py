"""Crash leftovers: temp files and half-built checkpoint folders of a writer that was killed.

Atomic writes build under a dot-name ending in `.tmp` (files, checkpoint folders) and move
a replaced checkpoint aside as `.<name>.old` for an instant. A SIGKILL in between leaves
those behind; the next worker removes them at start, while it holds the run's lock, so no
live writer can own them. Symlinks are never followed or deleted through.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from aigc_tui.runs.checkpoints import CHECKPOINTS_DIR

LEFTOVER_DIRS = ("", CHECKPOINTS_DIR, "samples", "control")


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


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
