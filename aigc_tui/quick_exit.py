"""Leaving a CLI command that loaded torch without the interpreter's slow teardown, safely."""

from __future__ import annotations

import os
import sys
import threading


def exit_now(code: int) -> None:
    """Leave without the interpreter's teardown: with torch loaded it spent ~10 s collecting garbage
    after `finished at step N/N` was printed (tester7 H8).

    os._exit skips what that teardown also does: flush Python's buffers, run atexit handlers, wait for
    threads. Our run files need none of it (metrics.jsonl is unbuffered, log.txt line-buffered, status
    and checkpoints written atomically and closed before the command returns); the standard streams and
    any logging handler (a library's) are flushed here. When something still needs the teardown (a
    thread that is not a daemon still running, a `track` run open in this process), this returns and
    the interpreter ends the slow, complete way."""
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        return
    track = sys.modules.get("aigc_tui.track")
    current = getattr(track, "_current", None)
    if current is not None and not getattr(current, "finished", True):
        return
    if "logging" in sys.modules:
        import logging

        loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        for handler in {h for lg in loggers for h in getattr(lg, "handlers", ())}:
            try:
                handler.flush()
            except Exception:  # noqa: BLE001 - a handler's own failure must not keep the process alive
                pass
    for stream in {id(s): s for s in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__) if s}.values():
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
