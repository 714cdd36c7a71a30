"""One error type for every expected failure: a one-line message and an optional hint.

`cli.main` turns an `AigcError` into `error: <message>` (and `hint: <hint>`) with exit status 2,
in one place; the app shows the same line in a notification. Anything else is a bug and keeps
its traceback. The subclasses only name where a failure came from, so callers can catch one
kind; none of them needs converting.
"""

from __future__ import annotations

import errno
import re


class AigcError(Exception):
    """An expected failure the user can act on."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def one_line(self) -> str:
        """The message and hint as the CLI prints them (a multi-line message keeps its lines)."""
        return self.message + (f" ({self.hint})" if self.hint else "")


class ConfigError(AigcError, ValueError):
    """A recipe or override that does not validate."""


class RunNotFound(AigcError, LookupError):
    """No run or checkpoint matches what the user typed."""


class RunBusy(AigcError):
    """The run has a live worker, so the action would make two writers."""


class DataError(AigcError):
    """A data set or corpus that cannot be read or is unusable."""


class ModelError(AigcError):
    """A model, checkpoint or model reference that cannot be loaded."""


class StorageError(AigcError):
    """A run file that could not be written (a full disk, a file-size limit, permissions)."""


DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def write_failure(exc: OSError, path: object = None) -> str:
    """A failed write in words, naming the file: `disk full writing PATH (No space left on device)`,
    else `cannot write PATH (reason)`, so the user knows which mount to clean or fix."""
    where = path or exc.filename
    what = "disk full writing" if exc.errno in DISK_FULL else "cannot write"
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{what} {where} ({reason})" if where else f"{what}: {reason}"


def os_reason(exc: BaseException) -> str:
    """An OS error in words with the file it concerns (`disk full writing F (No space left on
    device)` for a full disk, so the user knows which mount to clean); other errors as their message."""
    if isinstance(exc, OSError) and exc.strerror:
        if exc.errno in DISK_FULL and exc.filename:
            return write_failure(exc)
        return exc.strerror + (f" ({exc.filename})" if exc.filename else "")
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    text = text.removeprefix("Error while serializing: ").removeprefix("I/O error: ")  # safetensors' wording
    return re.sub(r" \(os error \d+\)$", "", text)


class DeviceError(AigcError):
    """A device or precision this machine does not have."""
