"""Give the UI process's free heap back to the system, so hours of use do not creep its RSS.

Issue 9's soaks showed the app's live Python objects flat over hours while RSS rose 10-15 MB
an hour: glibc keeps freed memory in per-thread arenas (the tail, generation-client and
worker threads each get one) and in holes of the main heap that Python and PIL leave. Two
glibc calls fix what Python cannot: `mallopt(M_ARENA_MAX, 2)` caps the arenas before the
threads start, and `malloc_trim(0)` returns free pages, called every TRIM_EVERY_S. Where
the C library is not glibc (macOS, musl) both do nothing.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

M_ARENA_MAX = -8  # glibc's <malloc.h>
ARENAS = 2
TRIM_EVERY_S = 60.0


def _glibc() -> Any | None:
    """The process's C library when it is glibc (it has both calls), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)  # the symbols already loaded into this process
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas; call before the app starts its threads. True when glibc took it."""
    libc = _glibc()
    return bool(libc and libc.mallopt(M_ARENA_MAX, arenas) == 1)


def return_free_memory() -> bool:
    """Hand free heap pages back to the system. True when some memory was released."""
    libc = _glibc()
    return bool(libc and libc.malloc_trim(0) == 1)
