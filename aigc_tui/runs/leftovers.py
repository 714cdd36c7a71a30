"""Crash leftovers: temp files and half-built checkpoint folders of a writer that was killed.

Atomic writes build under a dot-name ending in `.tmp` (files, checkpoint folders) and move
a replaced checkpoint aside as `.<name>.old` for an instant. A SIGKILL in between leaves
those behind; the next worker removes them at start, while it holds the run's lock, so no
other worker can own them. Other processes write into the run too, at any time: the launcher
and `stop` write status.json, the app and `tag` write notes.json (each under its own lock,
which the cleanup takes before removing that file's temp files), and the app and CLI drop
control requests (a temp file younger than a minute may be one in flight, and is left).
Symlinks are never followed or deleted through.

Under the runs root, `clean_half_made_runs` removes what a launcher killed while creating a run
left (its `.creating-` build folder, or a run folder an older version built in place without
reaching status.json), once no creator holds it and it is older than a creation ever takes.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from aigc_tui.runs.checkpoints import CHECKPOINTS_DIR
from aigc_tui.runs.layout import (
    CONFIG_FILE,
    CONTROL_DIR,
    CREATING_PREFIX,
    NOTES_FILE,
    RUN_SUBDIRS,
    STATUS_FILE,
    STATUS_LOCK_FILE,
)
from aigc_tui.runs.lock import WORKER_LOCK_FILE
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


HALF_MADE_AGE_S = 120.0  # creating a run takes milliseconds; a build this old lost its creator


def _held_by_creator(folder: Path) -> bool:
    try:
        fd = os.open(folder / WORKER_LOCK_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        return exc.errno != errno.ENOENT  # no lock file yet: judged by age alone
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _only_creation_parts(folder: Path) -> bool:
    """Nothing in the folder but what creating a run writes before status.json, starting with its
    first sub-folder (an empty folder, or one holding only a config.toml, may be anyone's)."""
    entries = list(folder.iterdir())
    if RUN_SUBDIRS[0] not in (e.name for e in entries):
        return False
    for entry in entries:
        name = entry.name
        if entry.is_symlink():
            return False
        if name in RUN_SUBDIRS:
            if not entry.is_dir() or any(entry.iterdir()):
                return False
        elif name in (CONFIG_FILE, STATUS_LOCK_FILE, WORKER_LOCK_FILE):
            continue
        elif not (name.endswith(".tmp") and name.startswith((f".{CONFIG_FILE}.", f".{STATUS_FILE}."))):
            return False
    return True


def clean_half_made_runs(root: Path) -> list[str]:
    """Remove the leftovers of run creations cut off by a kill; the names of what went."""
    cleaned: list[str] = []
    try:
        entries = list(Path(root).iterdir())
    except OSError:
        return cleaned
    for entry in entries:
        if entry.is_symlink() or not entry.is_dir() or _younger_than(entry, HALF_MADE_AGE_S):
            continue
        if entry.name.startswith(CREATING_PREFIX):
            gone = not _held_by_creator(entry)
        elif entry.name.startswith(".") or (entry / STATUS_FILE).exists():
            continue
        else:
            try:
                gone = _only_creation_parts(entry)
            except OSError:
                continue
        if gone:
            shutil.rmtree(entry, ignore_errors=True)
            cleaned.append(entry.name)
    return cleaned
