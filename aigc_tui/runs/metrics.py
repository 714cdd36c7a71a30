"""metrics.jsonl: append-only, one JSON object a line; read incrementally from a byte offset.

The writer also appends a columnar cache beside it (`sidecar.py`); the reader loads that
cache when it covers the file (a million lines in milliseconds) and parses only the JSONL
after it, so following a live run costs only its new lines. Readers can be told which
metrics to load (`keys`, `want`): a run logs a dozen, the monitor plots two.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from aigc_tui.errors import StorageError, os_reason
from aigc_tui.runs.columns import EMPTY, Columns, Series, batch_from_records
from aigc_tui.runs.jsonl import parse_lines, parse_one
from aigc_tui.runs.layout import METRICS_FILE
from aigc_tui.runs.sidecar import SidecarWriter, read_sidecar
from aigc_tui.runs.strict_json import dumps

CHUNK = 4 << 20

__all__ = ["EMPTY", "METRICS_FILE", "MetricsReader", "MetricsWriter", "Series"]


class MetricsWriter:
    """Appends one line per logging interval and flushes it, so tails see it at once."""

    def __init__(self, run_dir: Path, sidecar: bool = True) -> None:
        self.path = Path(run_dir) / METRICS_FILE
        from aigc_tui.runs.members import open_append

        # Unbuffered, never through a symlink: a line is written whole or cut back (see _append).
        self._file = os.fdopen(open_append(self.path), "ab", buffering=0)
        self._size = os.fstat(self._file.fileno()).st_size
        if self._size:  # a torn last line from a killed writer: end it so ours starts clean
            with open(self.path, "rb") as f:
                f.seek(self._size - 1)
                if f.read(1) != b"\n":
                    self._append(b"\n")
        self._sidecar: SidecarWriter | None = None
        if sidecar:
            try:
                self._sidecar = SidecarWriter.open(run_dir, self.path)
            except OSError:
                self._sidecar = None  # the cache is optional; the JSONL is what counts

    def write(self, step: int, values: dict[str, float], when: float | None = None) -> dict[str, Any]:
        record: dict[str, Any] = {"step": int(step), "time": round(when or time.time(), 3)}
        for key, value in values.items():
            record[key] = float(value)  # NaN/inf are written as strings, so they stay visible
        self._append((dumps(record) + "\n").encode())
        if self._sidecar is not None:
            try:
                self._sidecar.append(batch_from_records([record], None), np.array([self._size]))
            except OSError:
                self._sidecar = None  # stop extending it: what it holds stays a valid prefix
        return record

    def _append(self, data: bytes) -> None:
        """Write `data` whole; on a full disk cut back what part of it landed, so the file keeps
        whole lines, and raise StorageError naming the file."""
        view = memoryview(data)
        try:
            while view:
                view = view[self._file.write(view):]
        except OSError as exc:
            try:
                os.ftruncate(self._file.fileno(), self._size)
            except OSError:
                pass  # the next writer ends a torn line before its own (see __init__)
            raise StorageError(f"metrics not written: {os_reason(exc)}", hint=str(self.path)) from exc
        self._size += len(data)

    def close(self) -> None:
        self._file.close()


class MetricsReader:
    """Incremental reader: each `poll()` reads only bytes it has not read, skips a torn last line.

    `series` maps each loaded metric to a `Series` snapshot (numpy steps, times, values);
    it is replaced, never mutated, so another thread may read it while `poll()` runs.
    A step that goes backwards (a resume from an earlier checkpoint) drops the points from
    that step on, so the plot shows the history the weights actually have. Lines with the
    same step (a script logging loss, then eval loss, at one step) add to each other.
    """

    def __init__(self, run_dir: Path, keys: Iterable[str] | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.path = self.run_dir / METRICS_FILE
        self._wanted: frozenset[str] | None = None if keys is None else frozenset(keys)
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.offset = 0
        self._pending = b""
        self._cols = Columns()
        self._reload = False
        self.series: dict[str, Series] = {}
        self.last: dict[str, Any] = {}
        self.keys: tuple[str, ...] = ()

    def want(self, keys: Iterable[str]) -> None:
        """Also load these metrics (from the next `poll()`, which re-reads the run once)."""
        with self._lock:
            if self._wanted is None:
                return
            new = frozenset(keys) - self._wanted
            if new:
                self._wanted = self._wanted | new
                self._reload = True

    def poll(self) -> int:
        """Read what was appended since the last call; returns how many records were new."""
        with self._lock:
            reload, wanted = self._reload, self._wanted
            self._reload = False
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            return 0
        if reload or size < self.offset:  # more metrics wanted, or the file was replaced
            series, last, keys = self.series, self.last, self.keys
            self._reset()
            self.series, self.last, self.keys = series, last, keys  # shown until the new load lands
        before = self._cols.lines
        names = set(self.keys)
        if self.offset == 0 and (cached := read_sidecar(self.run_dir, self.path, wanted)) is not None:
            batch, self.offset, sidecar_names = cached
            self._cols.apply(batch)
            names.update(sidecar_names)
            self._last_line_from(self.offset)
        if size > self.offset:
            last = self._read_jsonl(wanted, names)
            if last is not None:
                self.last = _merged(self.last, last)
        if self._cols.lines == before:
            return 0
        self.keys = tuple(sorted(names))
        self.series = self._cols.snapshot()
        return self._cols.lines - before

    def _read_jsonl(self, wanted: frozenset[str] | None, names: set[str]) -> dict[str, Any] | None:
        last = None
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            while chunk := f.read(CHUNK):
                data = self._pending + chunk
                cut = data.rfind(b"\n") + 1
                base = self.offset - len(self._pending)
                self._pending = data[cut:]  # an incomplete tail (or b"")
                self.offset += len(chunk)
                records, _ = parse_lines(data[:cut], base)
                if records:
                    for record in records:
                        names.update(record)
                        last = _merged(last or {}, record)
                    self._cols.apply(batch_from_records(records, wanted))
        names.difference_update(("step", "time"))
        return last

    def _last_line_from(self, end: int) -> None:
        """The newest full record (for 'last metrics' tables) without parsing the rest."""
        with open(self.path, "rb") as f:
            f.seek(max(0, end - 65536))
            tail = f.read(min(end, 65536))
        last: dict[str, Any] = {}
        for line in reversed(tail.rstrip(b"\n").split(b"\n")):
            record = parse_one(line)
            if record is None:
                continue
            if last and record["step"] != last["step"]:
                break
            last = {**record, **last}  # a step's lines merge; the newest value wins
        self.last = last

    def best(self, name: str, mode: str = "min") -> float | None:
        series = self.series.get(name)
        values = series.values[np.isfinite(series.values)] if series is not None else ()
        if not len(values):
            return None
        return float(values.min() if mode == "min" else values.max())


def _merged(last: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """The newest record, with the earlier lines of the same step merged in (a script may log
    loss and eval loss at one step on two lines)."""
    return {**last, **record} if last.get("step") == record["step"] else record
