"""One thread tails metrics for every watched run (after Toolong's poll watcher).

Readers live here, off the UI thread; the app gets a light `MetricsAppended` message that
collapses with others of the same run, and reads the series when it redraws. A reader's
`series` is an immutable snapshot (a dict of read-only numpy arrays, replaced whole by each
poll), so the UI never sees a list the tail is appending to.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from aigc_tui.runs.metrics import MetricsReader
from aigc_tui.ui.messages import MetricsAppended

POLL_SECONDS = 0.5


class MetricsTail:
    def __init__(self, post) -> None:  # post: Callable[[Message], bool]
        self._post = post
        self._readers: dict[str, MetricsReader] = {}
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
        self._wake.set()
        return reader

    def forget(self, run_id: str) -> None:
        """Stop tailing a run (deleted, or moved to or from the archive: its path changed)."""
        with self._lock:
            self._readers.pop(run_id, None)

    def reader(self, run_id: str) -> MetricsReader | None:
        with self._lock:
            return self._readers.get(run_id)

    def _loop(self) -> None:
        """Only this thread polls readers, so file reads never hold the lock the UI takes."""
        while not self._stop.is_set():
            with self._lock:
                readers = list(self._readers.items())
            for run_id, reader in readers:
                if reader.poll():
                    self._post(MetricsAppended(run_id))
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()
