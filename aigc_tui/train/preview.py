"""A sample or a checkpoint's preview never fails a run: one log line, and training goes on.

An emoji-only dev text, an odd prompt or a bug in a family's sample once ended a run at its
first checkpoint (tester5 F3); the weights matter, the preview does not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aigc_tui.errors import AigcError

T = TypeVar("T")


def previewed(make: Callable[[], T], fallback: T, log: Callable[[str], Any], step: int, collective: bool) -> T:
    """`make()`, or `fallback` and one log line when it raises. A collective preview (FSDP: every
    rank is inside the forward) still raises, since skipping on one rank would hang the others."""
    try:
        return make()
    except Exception as exc:
        if collective:
            raise
        why = exc.one_line() if isinstance(exc, AigcError) else f"{type(exc).__name__}: {exc}"
        log(f"sample at step {step} skipped: {why.partition(chr(10))[0]}")
        return fallback
