"""A run's files live inside its directory: members that are symlinks are refused, never followed.

A symlinked `checkpoints/` would make the worker write (and pruning delete) somewhere
else entirely; a symlinked `log.txt` or `metrics.jsonl` would be appended to wherever it
points. The worker and the launcher check every member before they write, and appends
open with O_NOFOLLOW so a link swapped in later fails instead of being followed.
"""

from __future__ import annotations

import os
from pathlib import Path

from aigc_tui.errors import AigcError
from aigc_tui.runs.layout import (
    CHECKPOINTS_DIR,
    CONFIG_FILE,
    CONTROL_DIR,
    LOG_FILE,
    METRICS_FILE,
    SAMPLES_DIR,
    STATUS_FILE,
    STATUS_LOCK_FILE,
)
from aigc_tui.runs.lock import WORKER_LOCK_FILE

RUN_MEMBERS = (CONFIG_FILE, STATUS_FILE, STATUS_LOCK_FILE, WORKER_LOCK_FILE, METRICS_FILE, LOG_FILE,
               CHECKPOINTS_DIR, SAMPLES_DIR, CONTROL_DIR)
APPEND_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC


class SymlinkedMember(AigcError):
    """A run-directory member is a symlink."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} is a symlink; a run's files must live inside its directory, so it is not followed",
                         "replace the link with a real file or folder")


def refuse_symlinks(run_dir: Path, names: tuple[str, ...] = RUN_MEMBERS) -> None:
    """Raise SymlinkedMember for the first member of the run that is a symlink."""
    for name in names:
        path = Path(run_dir) / name
        if path.is_symlink():
            raise SymlinkedMember(path)


def open_append(path: Path) -> int:
    """An append-only descriptor that refuses to follow a symlink (SymlinkedMember)."""
    try:
        return os.open(path, APPEND_FLAGS, 0o644)
    except OSError:
        if Path(path).is_symlink():
            raise SymlinkedMember(Path(path)) from None
        raise
