"""Columnar metric storage: per metric, numpy arrays of steps, times and values.

Parsed lines arrive as a `Batch` (line-level steps and times plus, per metric, which
lines carry it and the values). `Columns.apply` folds a batch in with the rewind rule the
run directory promises: a line whose step is below the previous line's drops every earlier
point at or after that step (a resume from an earlier checkpoint); equal steps add up. Snapshots
(`Series`) are read-only views that later appends never touch, so a reader thread can
append while the UI draws the last snapshot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aigc_tui.runs.strict_json import as_float

RESERVED = ("step", "time")


@dataclass(frozen=True)
class Series:
    """One metric: `steps` (int64), `times` (float64, unix s), `values` (float64; NaN kept)."""

    steps: np.ndarray
    times: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.steps)


EMPTY = Series(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))


@dataclass
class Batch:
    """Lines in file order: their steps and times, and per metric (line indices, values)."""

    steps: np.ndarray
    times: np.ndarray
    cols: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.steps)


def batch_from_records(records: list[dict[str, Any]], keys: frozenset[str] | None) -> Batch:
    """Records (already checked to have an int step) as a Batch; `keys` None keeps every metric."""
    steps = np.fromiter((r["step"] for r in records), np.int64, len(records))
    times = np.empty(len(records))
    cols: dict[str, tuple[list[int], list[float]]] = {}
    for i, rec in enumerate(records):
        t = rec.get("time")
        times[i] = t if isinstance(t, (int, float)) and not isinstance(t, bool) else math.nan
        for key, raw in rec.items():
            if key in RESERVED or (keys is not None and key not in keys):
                continue
            value = as_float(raw)
            if value is not None:
                idx, vals = cols.setdefault(key, ([], []))
                idx.append(i)
                vals.append(value)
    return Batch(steps, times, {k: (np.asarray(i, np.int64), np.asarray(v, np.float64)) for k, (i, v) in cols.items()})


class Column:
    """An append buffer that doubles; `snapshot()` views never see later writes."""

    def __init__(self) -> None:
        self.n = 0
        self._steps = np.zeros(0, np.int64)
        self._times = np.zeros(0)
        self._values = np.zeros(0)

    def _resize(self, capacity: int) -> None:
        n = self.n
        for name in ("_steps", "_times", "_values"):
            old = getattr(self, name)
            new = np.empty(capacity, old.dtype)
            new[:n] = old[:n]
            setattr(self, name, new)

    def extend(self, steps: np.ndarray, times: np.ndarray, values: np.ndarray) -> None:
        need = self.n + len(steps)
        if self.n == 0 and need > len(self._steps):  # a first bulk load: adopt, don't copy
            self._steps, self._times, self._values = (np.asarray(a, dtype=d) for a, d in
                                                      ((steps, np.int64), (times, float), (values, float)))
            self.n = need
            return
        if need > len(self._steps):
            self._resize(max(need, 2 * len(self._steps), 256))
        self._steps[self.n : need] = steps
        self._times[self.n : need] = times
        self._values[self.n : need] = values
        self.n = need

    def truncate_from(self, step: int) -> None:
        """Drop points at or after `step` (into fresh buffers: old snapshots stay as they were)."""
        keep = int(np.searchsorted(self._steps[: self.n], step, side="left"))
        if keep < self.n:
            self.n = keep
            self._resize(max(keep, 256))

    def snapshot(self) -> Series:
        parts = []
        for arr in (self._steps, self._times, self._values):
            view = arr[: self.n]
            view.flags.writeable = False
            parts.append(view)
        return Series(*parts)


def rewinds(steps: np.ndarray, before: int | None) -> np.ndarray:
    """Per line: its step if it rewinds (below the line before it), else int64 max."""
    prev = np.empty_like(steps)
    prev[0] = np.iinfo(np.int64).min if before is None else before
    prev[1:] = steps[:-1]
    return np.where(steps < prev, steps, np.iinfo(np.int64).max)


def alive_lines(steps: np.ndarray, before: int | None = None) -> np.ndarray:
    """Lines no later rewind drops: a rewind to step s drops every earlier line at step >= s."""
    alive = np.ones(len(steps), bool)
    if len(steps) > 1:
        r = rewinds(steps, before)
        later_min = np.minimum.accumulate(r[::-1])[::-1]
        alive[:-1] = steps[:-1] < later_min[1:]
    return alive


class Columns:
    """Every loaded metric of one run, folded in batch by batch."""

    def __init__(self) -> None:
        self.cols: dict[str, Column] = {}
        self.last_step: int | None = None
        self.lines = 0

    def apply(self, batch: Batch) -> None:
        if not len(batch):
            return
        if self.last_step is not None:
            first = int(rewinds(batch.steps, self.last_step).min())
            if first < np.iinfo(np.int64).max:
                for col in self.cols.values():
                    col.truncate_from(first)
        alive = alive_lines(batch.steps, self.last_step)
        every = bool(alive.all())
        shared: tuple[np.ndarray, np.ndarray] | None = None  # steps, times of the alive lines
        for key, (idx, vals) in batch.cols.items():
            col = self.cols.get(key)
            if col is None:
                col = self.cols[key] = Column()
            if len(idx) == len(batch):  # on every line: share one steps/times pair between metrics
                if shared is None:
                    shared = (batch.steps, batch.times) if every else (batch.steps[alive], batch.times[alive])
                col.extend(*shared, vals if every else vals[alive])
                continue
            keep = alive[idx]
            rows = idx[keep]
            col.extend(batch.steps[rows], batch.times[rows], vals[keep])
        self.last_step = int(batch.steps[-1])
        self.lines += len(batch)

    def snapshot(self) -> dict[str, Series]:
        return {key: col.snapshot() for key, col in self.cols.items() if col.n}
