"""Atomic writes: a reader never sees a half-written file or checkpoint directory."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aigc_tui.runs.strict_json import dumps


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def current_umask() -> int:
    """The process umask, read without changing it (Linux), else by setting and restoring it."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _naming(exc: OSError, path: Path) -> OSError:
    """The same OS error naming the file the caller asked for (not our temp name, not none at all:
    a write that fails on a full disk carries no file name of its own)."""
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Temp file in the destination directory, fsync, `os.replace`, fsync the directory.

    A failure raises the OSError with `path` as its file name, so every message can say which
    file a full disk refused."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _naming(exc, path) from None
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp makes 0600; give the file a normal file's mode
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _naming(exc, path) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def rewrite_in_place(path: Path, data: bytes) -> None:
    """Last resort when the disk is full: overwrite an existing small file inside the space it
    already holds (no new block is needed, so it works where a temp file cannot be written).

    Not atomic: a reader may see it half-written for a moment, so it is only for a file whose
    loss is worse than that (a run's end state). A shorter text is padded with spaces (JSON
    allows them), so the file never has to shrink; one that does not fit raises ENOSPC."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if len(data) > max(info.st_size, info.st_blocks * 512):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        data += b" " * (info.st_size - len(data))
        view = memoryview(data)
        while view:
            view = view[os.pwrite(fd, view, len(data) - len(view)):]
        os.fsync(fd)
    except OSError as exc:
        raise _naming(exc, path) from None
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, dumps(obj, indent=2, sort_keys=True) + "\n")


@contextmanager
def atomic_directory(final: Path, keep_existing: bool = False) -> Iterator[Path]:
    """Build a directory under a temp name beside `final`, then rename it into place.

    If `final` exists it is replaced (old one removed after the new one is in place), unless
    `keep_existing`: then a `final` that appeared meanwhile wins and the new build is dropped.
    Caches use that, since two processes (the ranks of a run) may build the same entry at once.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    try:
        tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes 0700; a normal folder's mode
        yield tmp
        for child in tmp.rglob("*"):
            if child.is_file():
                with open(child, "rb") as f:
                    os.fsync(f.fileno())
        if keep_existing and final.exists():
            shutil.rmtree(tmp, ignore_errors=True)
            return
        if final.exists():
            trash = final.with_name(f".{final.name}.old")
            shutil.rmtree(trash, ignore_errors=True)
            os.replace(final, trash)
            os.replace(tmp, final)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            try:
                os.replace(tmp, final)
            except OSError:
                if not (keep_existing and final.is_dir()):
                    raise
                shutil.rmtree(tmp, ignore_errors=True)  # another process built it first
                return
        fsync_dir(final.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
