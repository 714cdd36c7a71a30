"""A cheap fingerprint of what the runs table and the monitor read from disk.

With no live run, nothing the table shows changes unless a file under the runs root does: a
run created, archived or deleted (the root's listing), a status, notes or config rewritten
(each is replaced atomically, which also touches the run's folder), a checkpoint or sample
added, the selected run's log or confusion matrix grown. Stat calls that cover those let the
idle poll skip reading every run and redrawing an unchanged table (issue 9: an idle app under
1 % of a core).
"""

from __future__ import annotations

import os
from pathlib import Path

from aigc_tui.runs.layout import (
    ARCHIVE_DIR,
    CHECKPOINTS_DIR,
    CONFUSION_FILE,
    LOG_FILE,
    NOTES_FILE,
    SAMPLES_DIR,
    STATUS_FILE,
)

PER_RUN = ("", STATUS_FILE, NOTES_FILE, CHECKPOINTS_DIR, SAMPLES_DIR)  # "" is the run's own folder
SELECTED_ONLY = (LOG_FILE, CONFUSION_FILE)

Stamp = tuple[tuple[int, int, int], ...]


def _stat(path: str) -> tuple[int, int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _run_dirs(root: str) -> list[str]:
    try:
        with os.scandir(root) as entries:
            return sorted(e.path for e in entries if not e.name.startswith(".") and e.is_dir())
    except OSError:
        return []


def runs_stamp(runs_dir: Path, archived: bool = False, selected: Path | None = None) -> Stamp:
    """Equal stamps mean the table and the selected run's monitor would read the same files."""
    root = os.fspath(runs_dir)
    roots = [root, os.path.join(root, ARCHIVE_DIR)] if archived else [root]
    out = [_stat(r) for r in roots]
    for run in (run for r in roots for run in _run_dirs(r)):
        out.extend(_stat(os.path.join(run, name)) for name in PER_RUN)
    if selected is not None:
        out.extend(_stat(os.path.join(selected, name)) for name in SELECTED_ONLY)
    return tuple(out)
