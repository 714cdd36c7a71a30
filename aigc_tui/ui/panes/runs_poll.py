"""When the Runs pane reads the runs root: each second while a run is live, and when a file changes when none is.

The pane's base class (see runs_plot.py for why not a mixin). An idle app should cost almost
nothing (issue 9: under 1 % of a core), and on a VM every wake-up of a sleeping process costs
more than the work it does. So with no live run the UI thread sleeps: one thread stats the files
the table shows (ui/run_stamps.py) every IDLE_POLL_S and wakes the pane only when they changed
(a run created, finished, tagged or archived elsewhere). While a run is live the pane reads
everything each second, as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from textual import work

from aigc_tui.ui.live_interval import LiveInterval
from aigc_tui.ui.panes.runs_house import HousekeepingPane
from aigc_tui.ui.run_stamps import Stamp, runs_stamp
from aigc_tui.ui.widgets.monitor import RunMonitor

IDLE_POLL_S = 5.0  # with no live run, a run started elsewhere shows up within this many seconds
LIVE_POLL_S = 1.0
GPU_POLL_S = 5.0


class StampWatch:
    """Every `every` seconds, off the UI thread: when `stamp()` differs from `seen()`, `changed()`."""

    def __init__(self, stamp: Callable[[], Stamp], seen: Callable[[], Stamp], changed: Callable[[], None],
                 every: float, paused: Callable[[], bool]) -> None:
        self._stamp, self._seen, self._changed, self._paused = stamp, seen, changed, paused
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="runs-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            if self._paused():
                continue
            try:
                if self._stamp() != self._seen():
                    self._changed()
            except RuntimeError:  # the app is closing
                return


class PolledPane(HousekeepingPane):
    """Needs the pane's `runs_dir`, `rows`, `selected`, `show_archived`, `monitor` and `refresh_rows`;
    `refresh_rows` calls `note_read` first, and the pane says what is live with `set_live`."""

    _stamp: Stamp = ()  # what the files the table last read looked like (recorded while idle)
    _gpu_at = 0.0
    rows: dict[str, Any]
    selected: str | None

    def start_polling(self) -> None:
        self._live = LiveInterval(self, LIVE_POLL_S, self._poll)
        self._watch = StampWatch(self.current_stamp, lambda: self._stamp, self._files_changed, IDLE_POLL_S,
                                 paused=lambda: self._live.running)
        self._watch.start()

    def on_unmount(self) -> None:
        self._watch.stop()

    @property
    def polling_live(self) -> bool:
        return self._live.running

    def current_stamp(self) -> Stamp:
        """The stamp of what the table shows and of the selected run's monitor (any thread)."""
        shown = self.rows.get(self.selected or "")
        return runs_stamp(self.runs_dir, self.show_archived, shown.run.path if shown else None)

    def set_live(self, live: bool) -> None:
        self._live.set(live)

    def note_read(self) -> None:
        """Call before a read of the table (any thread): while idle, the watch compares with it.
        Live, the watch is paused and the stamp would go unused each second."""
        if not self._live.running:
            self._stamp = self.current_stamp()

    def _files_changed(self) -> None:
        self.app.call_from_thread(self._read_if_shown)

    def _read_if_shown(self) -> None:
        if self.region.area:  # a hidden tab reads nothing: the watch calls again until it has
            self.refresh_rows()

    def _poll(self) -> None:
        """Each second while a run is live; the GPU line every GPU_POLL_S, for a run on a GPU only."""
        if not self.region.area:
            return
        self.refresh_rows()
        if self.monitor.gpu_index() is not None and time.monotonic() - self._gpu_at >= GPU_POLL_S:
            self._gpu_at = time.monotonic()
            self.refresh_gpu()

    @work(thread=True, exclusive=True, group="gpu", exit_on_error=False)
    def refresh_gpu(self) -> None:
        index = self.monitor.gpu_index()
        if index is not None:
            line = RunMonitor.read_gpu_line(index)
            self.app.call_from_thread(self.monitor.set_gpu_line, line)
