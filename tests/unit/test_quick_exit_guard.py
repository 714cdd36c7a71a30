"""A CLI command that loaded torch leaves with os._exit (tester7 H8): what the interpreter's teardown would
have flushed is flushed first, and what still needs that teardown gets it."""

from __future__ import annotations

import logging
import logging.handlers
import os
import threading
from types import SimpleNamespace

from aigc_tui import track
from aigc_tui.quick_exit import exit_now


def test_leaving_early_flushes_a_librarys_buffered_log(monkeypatch, tmp_path):
    exits: list[int] = []
    monkeypatch.setattr(os, "_exit", exits.append)
    target = logging.FileHandler(tmp_path / "library.log")
    buffered = logging.handlers.MemoryHandler(capacity=100, target=target)
    library = logging.getLogger("some.library")
    library.addHandler(buffered)
    try:
        library.warning("the last words")
        assert (tmp_path / "library.log").read_text() == ""  # still in the buffer
        exit_now(3)
        assert exits == [3]
        assert "the last words" in (tmp_path / "library.log").read_text()
    finally:
        library.removeHandler(buffered)
        buffered.close()
        target.close()


def test_a_thread_still_working_or_an_open_tracked_run_gets_the_interpreters_own_exit(monkeypatch):
    exits: list[int] = []
    monkeypatch.setattr(os, "_exit", exits.append)
    done = threading.Event()
    worker = threading.Thread(target=done.wait, name="still-writing")
    worker.start()
    try:
        exit_now(0)  # returns: the interpreter waits for the thread
        assert exits == []
    finally:
        done.set()
        worker.join()
    monkeypatch.setattr(track, "_current", SimpleNamespace(finished=False))
    exit_now(0)  # returns: its atexit hook records the run's end
    assert exits == []
    monkeypatch.setattr(track, "_current", SimpleNamespace(finished=True))
    exit_now(0)
    assert exits == [0]
