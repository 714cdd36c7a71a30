"""A foreground `train`'s live progress line, and the progress text `watch` shows too.

On a terminal, one line (step/total, speed, ETA, last loss) is redrawn in place with `\\r`
from what the worker writes into the run directory (status.json, metrics.jsonl), the way
`watch` reads it. Log lines still print as before: the line is wiped before each one and
redrawn after. Off a terminal (pipes, CI, tests) nothing of this is written.
"""

from __future__ import annotations

import shutil
import sys
import threading
from typing import TYPE_CHECKING, Any, TextIO

from aigc_tui.runs.summary import RunRow, format_duration, plotted_series, run_row

if TYPE_CHECKING:
    from aigc_tui.runs.metrics import MetricsReader
    from aigc_tui.runs.store import Run

CLEAR = "\r\x1b[K"


def speed_text(row: RunRow) -> str:
    """`1,234 images/s  eta 2m10s`, or "" before the first speed is known."""
    if not row.throughput:
        return ""
    return f"{row.throughput:,.0f} {row.throughput_unit}  eta {format_duration(row.eta_seconds)}"


def metric_text(key: str, value: Any, markup: bool = False) -> str:
    """`loss 2.345` (`[bold]` around the value with markup, as `watch` prints it)."""
    if not isinstance(value, float):
        return f"{key} {value}"
    return f"{key} [bold]{value:.4g}[/]" if markup else f"{key} {value:.4g}"


def progress_text(row: RunRow, reader: MetricsReader) -> str:
    """The one-line summary: step, speed, ETA and the newest value of each plotted loss."""
    parts = [f"step {row.progress}", speed_text(row)]
    for key in plotted_series(row.kind, reader.keys):
        series = reader.series.get(key)
        if series is not None and len(series.values):
            parts.append(metric_text(key, float(series.values[-1])))
    return "  ".join(p for p in parts if p)


def single_process(run: Run) -> bool:
    """Ranks of a multi-process run write to the terminal themselves: no line can be kept there."""
    section = run.config().get("run", {})
    return int(section.get("nproc", 1)) == 1 and int(section.get("nnodes", 1)) == 1 \
        and "," not in str(section.get("gpus", ""))


class _Guarded:
    """Stands in for sys.stdout: wipes the progress line before anything else is written."""

    def __init__(self, owner: ProgressLine, stream: TextIO) -> None:
        self._owner, self._stream = owner, stream

    def write(self, text: str) -> int:
        with self._owner.lock:
            if self._owner.shown:
                self._stream.write(CLEAR)
                self._owner.shown = False
            if text:
                self._owner.at_line_start = text.endswith("\n")
            return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class ProgressLine:
    """`with ProgressLine(run): run_worker(...)`; draws only when stdout is a terminal."""

    def __init__(self, run: Run, interval: float = 0.5, stream: TextIO | None = None) -> None:
        self.run, self.interval = run, interval
        self.stream = stream or sys.stdout
        self.enabled = self.stream.isatty() and single_process(run)
        self.lock = threading.RLock()
        self.shown, self.at_line_start, self.text = False, True, ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="progress-line")
        self._reader: MetricsReader | None = None
        self._guard: _Guarded | None = None

    def __enter__(self) -> ProgressLine:
        if self.enabled:
            self._guard = _Guarded(self, self.stream)
            sys.stdout = self._guard  # type: ignore[assignment]
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.enabled:
            return
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            self.draw(force=True)  # the final figures stay on screen, above the end message
            with self.lock:
                if self.shown:
                    self.stream.write("\n")
                    self.stream.flush()
                    self.shown = False
        except Exception:  # noqa: BLE001 - the terminal went away; the run's end is in log.txt
            pass
        if sys.stdout is self._guard:  # not when the logger silenced a dead terminal meanwhile
            sys.stdout = self.stream

    def _loop(self) -> None:
        while True:
            try:
                self.draw()
            except OSError:
                return  # the terminal went away
            except Exception:  # noqa: BLE001 - a half-written status must never stop training
                pass
            if self._stop.wait(self.interval):
                return

    def line(self) -> str:
        from aigc_tui.runs.metrics import MetricsReader

        if self._reader is None:
            self._reader = MetricsReader(self.run.path, keys=())
        reader = self._reader
        row = run_row(self.run)
        reader.poll()  # learns the names; the second poll loads the plotted ones once
        reader.want(plotted_series(row.kind, reader.keys))
        reader.poll()
        return progress_text(row, reader)

    def draw(self, force: bool = False) -> None:
        """Redraw when the text changed or a log line wiped it (never mid-line, never wrapped)."""
        text = self.line()[: max(10, shutil.get_terminal_size().columns - 1)]
        with self.lock:
            if not self.at_line_start or (self.shown and text == self.text and not force):
                return
            self.stream.write(CLEAR + text)
            self.stream.flush()
            self.shown, self.text = True, text
