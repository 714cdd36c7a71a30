"""metrics.jsonl: append-only, one JSON object a line; read incrementally from a byte offset."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from aigc_tui.runs.layout import METRICS_FILE
from aigc_tui.runs.strict_json import as_float as _as_float
from aigc_tui.runs.strict_json import dumps

CHUNK = 64 * 1024


class MetricsWriter:
    """Appends one line per logging interval and flushes it, so tails see it at once."""

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / METRICS_FILE
        self._file: TextIO = open(self.path, "a", encoding="utf-8")

    def write(self, step: int, values: dict[str, float], when: float | None = None) -> dict[str, Any]:
        record: dict[str, Any] = {"step": int(step), "time": round(when or time.time(), 3)}
        for key, value in values.items():
            record[key] = float(value)  # NaN/inf are written as strings, so they stay visible
        self._file.write(dumps(record) + "\n")
        self._file.flush()
        return record

    def close(self) -> None:
        self._file.close()



@dataclass
class MetricSeries:
    steps: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)


class MetricsReader:
    """Incremental reader: each `poll()` reads only bytes it has not read, skips a torn last line.

    A step that goes backwards (a resume from an earlier checkpoint) rewinds every series
    to before that step, so the plot shows the history the weights actually have. Lines with
    the same step (a script logging loss, then eval loss, at one step) add to each other.
    """

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / METRICS_FILE
        self.offset = 0
        self._pending = b""
        self.series: dict[str, MetricSeries] = {}
        self.records: list[dict[str, Any]] = []
        self.last: dict[str, Any] = {}

    def poll(self) -> list[dict[str, Any]]:
        """Read new complete lines; return the new records."""
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunks = []
                while chunk := f.read(CHUNK):
                    chunks.append(chunk)
        except FileNotFoundError:
            return []
        if not chunks:
            return []
        data = self._pending + b"".join(chunks)
        self.offset += sum(len(c) for c in chunks)
        lines = data.split(b"\n")
        self._pending = lines.pop()  # incomplete tail (or b"")
        new: list[dict[str, Any]] = []
        for line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a corrupt line is skipped, never fatal
            if isinstance(record, dict) and isinstance(record.get("step"), int):
                self._add(record)
                new.append(record)
        return new

    def _add(self, record: dict[str, Any]) -> None:
        step = record["step"]
        if self.records and step < self.records[-1]["step"]:
            self._rewind(step)
        self.records.append(record)
        self.last = {**self.last, **record} if self.last.get("step") == step else record  # a step's lines merge
        for key, raw in record.items():
            if key in ("step", "time"):
                continue
            value = _as_float(raw)
            if value is None:
                continue
            series = self.series.setdefault(key, MetricSeries())
            series.steps.append(step)
            series.values.append(value)

    def _rewind(self, step: int) -> None:
        self.records = [r for r in self.records if r["step"] < step]
        for series in self.series.values():
            keep = sum(1 for s in series.steps if s < step)
            del series.steps[keep:], series.values[keep:]

    def best(self, name: str, mode: str = "min") -> float | None:
        series = self.series.get(name)
        finite = [v for v in series.values if math.isfinite(v)] if series else []
        if not finite:
            return None
        return min(finite) if mode == "min" else max(finite)
