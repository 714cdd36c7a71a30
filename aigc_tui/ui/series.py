"""Turn a metric series into what a plot of a given width should draw.

Smoothing runs over the full series first (incrementally: a redraw only smooths new
points); then the result is decimated to about two points per column with per-bucket
min and max, so spikes and NaNs stay visible however long the run is. A million points
prepare in milliseconds once smoothed.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


def ema(values: Sequence[float], weight: float) -> list[float]:
    """TensorBoard-style debiased EMA; NaN/inf pass through without poisoning what follows."""
    return EmaState(weight).extend(values)


@dataclass
class EmaState:
    weight: float
    done: int = 0
    last_step: int | None = None
    _last: float = 0.0
    _count: int = 0
    out: list[float] = field(default_factory=list)

    def extend(self, values: Sequence[float]) -> list[float]:
        w = self.weight
        for v in values[self.done :]:
            if not math.isfinite(v):
                self.out.append(v)
                continue
            self._last = self._last * w + (1 - w) * v
            self._count += 1
            self.out.append(self._last / (1 - w**self._count))
        self.done = len(values)
        return self.out


class EmaCache:
    """One EmaState per series; starts over when the weight changes or the series rewinds."""

    def __init__(self) -> None:
        self._states: dict[str, EmaState] = {}

    def smooth(self, key: str, steps: Sequence[int], values: Sequence[float], weight: float) -> list[float]:
        if weight <= 0:
            return list(values)
        state = self._states.get(key)
        rewound = state is not None and (
            state.done > len(values) or (state.done and steps[state.done - 1] != state.last_step)
        )
        if state is None or state.weight != weight or rewound:
            state = self._states[key] = EmaState(weight)
        out = state.extend(values)
        state.last_step = steps[state.done - 1] if state.done else None
        return out


def window(steps: Sequence[int], values: Sequence[float], last_n_steps: int | None) -> tuple[Sequence[int], Sequence[float]]:
    if not last_n_steps or not steps:
        return steps, values
    first = bisect_left(steps, steps[-1] - last_n_steps)
    return steps[first:], values[first:]


def minmax_decimate(steps: Sequence[int], values: Sequence[float], buckets: int) -> tuple[list[int], list[float]]:
    """Per bucket: its min and max (NaN if the bucket held a non-finite point)."""
    n = len(steps)
    if n <= 2 * buckets or buckets < 1:
        return list(steps), list(values)
    x = np.asarray(steps)
    y = np.asarray(values, dtype=float)
    edges = np.linspace(0, n, buckets + 1).astype(int)[:-1]
    finite = np.isfinite(y)
    lo = np.minimum.reduceat(np.where(finite, y, np.inf), edges)
    hi = np.maximum.reduceat(np.where(finite, y, -np.inf), edges)
    bad = np.add.reduceat(~finite, edges) > 0
    ends = np.append(edges[1:], n) - 1
    xs = np.empty(2 * buckets, dtype=x.dtype)
    ys = np.empty(2 * buckets)
    xs[0::2], xs[1::2] = x[edges], x[ends]
    ys[0::2] = np.where(bad, np.nan, np.where(np.isfinite(lo), lo, np.nan))
    ys[1::2] = np.where(np.isfinite(hi), hi, np.nan)
    return xs.tolist(), ys.tolist()


def prepare(
    steps: Sequence[int], values: Sequence[float], smoothing: float, last_n_steps: int | None, width: int,
    log_y: bool = False, cache: EmaCache | None = None, key: str = "",
) -> tuple[list[int], list[float]]:
    n = min(len(steps), len(values))  # the tail thread may have appended to one list only
    steps, values = steps[:n], values[:n]
    smoothed = cache.smooth(key, steps, values, smoothing) if cache else ema(values, smoothing)
    xs, ys = window(steps, smoothed, last_n_steps)
    xs, ys = minmax_decimate(xs, ys, max(1, width))
    if log_y:
        pairs = [(x, math.log10(y)) for x, y in zip(xs, ys, strict=True) if math.isfinite(y) and y > 0]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    return list(xs), [y if math.isfinite(y) else math.nan for y in ys]
