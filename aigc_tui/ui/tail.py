"""One thread tails metrics for every watched run (after Toolong's poll watcher).

Readers live here, off the UI thread; the app gets a light `MetricsAppended` message that
collapses with others of the same run, and reads the series when it redraws. A reader's
`series` is an immutable snapshot (a dict of read-only numpy arrays, replaced whole by each
poll), so the UI never sees a list the tail is appending to.

A run the Runs pane knows is not live (finished, failed, stopped) writes no metrics: it is read
when first watched, when it turns live (the pane says so at once), and as a safety net every
IDLE_SECONDS. With only such runs watched the thread sleeps that long: on a VM each wake-up of a
sleeping process costs more than its work, and an idle app should cost almost nothing (issue 9).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

from aigc_tui.runs.metrics import MetricsReader
from aigc_tui.ui.messages import MetricsAppended

POLL_SECONDS = 0.5
IDLE_SECONDS = 60.0


class MetricsTail:
    def __init__(self, post) -> None:  # post: Callable[[Message], bool]
        self._post = post
        self._readers: dict[str, MetricsReader] = {}
        self._idle: frozenset[str] = frozenset()  # runs known not to be live
        self._read_at: dict[str, float] = {}  # when each was last read (monotonic)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="metrics-tail", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def watch(self, run_id: str, run_dir: Path, keys: Iterable[str] | None = None) -> MetricsReader:
        """Start tailing a run; the tail thread reads it at once (never the caller's thread).

        `keys` names the metrics to load (None: all); watching again with other keys adds them.
        """
        with self._lock:
            reader = self._readers.get(run_id)
            if reader is None:
                reader = self._readers[run_id] = MetricsReader(run_dir, keys)
            elif keys is not None:
                reader.want(keys)
        self._read_at.pop(run_id, None)  # due now, idle or not: new keys to load
        self._wake.set()
        return reader

    def forget(self, run_id: str) -> None:
        """Stop tailing a run (deleted, or moved to or from the archive: its path changed)."""
        with self._lock:
            self._readers.pop(run_id, None)
        self._read_at.pop(run_id, None)

    def set_idle(self, run_ids: Iterable[str]) -> None:
        """The runs known not to be live; a run not named is read every POLL_SECONDS."""
        idle = frozenset(run_ids)
        woken = self._idle - idle
        self._idle = idle
        if woken & self._readers.keys():
            self._wake.set()

    def reader(self, run_id: str) -> MetricsReader | None:
        with self._lock:
            return self._readers.get(run_id)

    def _loop(self) -> None:
        """Only this thread polls readers, so file reads never hold the lock the UI takes."""
        while not self._stop.is_set():
            with self._lock:
                readers = list(self._readers.items())
            idle, now = self._idle, time.monotonic()
            for run_id, reader in readers:
                if run_id in idle and now - self._read_at.get(run_id, -IDLE_SECONDS) < IDLE_SECONDS:
                    continue
                self._read_at[run_id] = now
                if reader.poll():
                    self._post(MetricsAppended(run_id))
            busy = any(run_id not in idle for run_id, _ in readers)
            self._wake.wait(POLL_SECONDS if busy else IDLE_SECONDS)
            self._wake.clear()
