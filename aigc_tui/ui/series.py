"""Turn a metric series into what a plot of a given width should draw.

Smoothing runs over the full series first, vectorised (a million points in milliseconds,
so toggling EMA never stalls the UI) and incrementally (a redraw only smooths new points);
then the result is decimated to about two points per column with per-bucket min and max,
so spikes and NaNs stay visible however long the run is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

MAX_SCALE_EXP = 600.0  # a**-block stays far below float64's overflow (e**709)


def linear_recurrence(a: float, u: np.ndarray, y0: float = 0.0) -> np.ndarray:
    """y[k] = a * y[k-1] + u[k] with y[-1] = y0, for 0 <= a < 1, without a Python loop per point.

    Blocks of B points are closed-form (cumsum of u * a**-i, scaled back by a**j); the values
    at block ends follow the same recurrence with a**B, solved recursively.
    """
    u = np.asarray(u, dtype=np.float64)
    n = len(u)
    if n == 0:
        return u.copy()
    if a < 1e-150:
        out = u.copy()
        out[0] += a * y0
        return out
    block = int(min(4096, max(2, MAX_SCALE_EXP // -math.log(a))))
    rows = -(-n // block)
    padded = np.zeros(rows * block)
    padded[:n] = u
    j = np.arange(block)
    grow, shrink = a ** -j.astype(float), a ** j.astype(float)
    within = np.cumsum(padded.reshape(rows, block) * grow, axis=1) * shrink  # each block from 0
    carry = np.empty(rows)  # y just before each block
    carry[0] = y0
    if rows > 1:
        carry[1:] = linear_recurrence(a**block, within[:-1, -1], y0)
    within += carry[:, None] * (shrink * a)
    return within.ravel()[:n]


def ema(values: Sequence[float] | np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard-style debiased EMA; NaN/inf pass through without poisoning what follows."""
    state = EmaState(weight)
    return state.extend(np.asarray(values, dtype=np.float64))


@dataclass
class EmaState:
    weight: float
    done: int = 0
    last_step: int | None = None
    first: tuple[int, float] | None = None  # the series' first point: another series under one key differs
    _raw: float = 0.0
    _count: int = 0
    _out: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def extend(self, values: np.ndarray) -> np.ndarray:
        """The smoothed series for `values`, of which the first `done` were seen before."""
        new = np.asarray(values[self.done :], dtype=np.float64)
        if len(new):
            w = self.weight
            finite = np.isfinite(new)
            x = new[finite]
            out = new.copy()
            if len(x):
                raw = linear_recurrence(w, (1 - w) * x, self._raw)
                self._raw, self._count = float(raw[-1]), self._count + len(x)
                count0 = self._count - len(x)
                # debias: raw / (1 - w**count); past ~40/-ln(w) points the divisor is 1.0 exactly
                settled = max(0, int(40 / -math.log(w)) - count0) if w > 0 else 0
                head = min(len(x), settled)
                counts = np.arange(count0 + 1, count0 + head + 1, dtype=np.float64)
                raw[:head] /= -np.expm1(counts * math.log(w))
                out[finite] = raw
            self._out = np.concatenate([self._out[: self.done], out])
            self.done += len(new)
        return self._out[: self.done]


class EmaCache:
    """One EmaState per series; starts over when the weight changes or the series rewinds."""

    def __init__(self) -> None:
        self._states: dict[str, EmaState] = {}

    def keep(self, keys: set[str]) -> None:
        """Forget the series not drawn any more (each state holds a smoothed copy of its series)."""
        for key in set(self._states) - keys:
            del self._states[key]

    def smooth(self, key: str, steps: Sequence[int], values: Sequence[float], weight: float) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64)
        if weight <= 0:
            return values
        state = self._states.get(key)
        first = (int(steps[0]), float(values[0])) if len(values) else None
        rewound = state is not None and (
            state.done > len(values) or (state.done and steps[state.done - 1] != state.last_step)
            or (state.first is not None and first is not None and not _same_point(state.first, first))
        )
        if state is None or state.weight != weight or rewound:
            state = self._states[key] = EmaState(weight, first=first)
        out = state.extend(values)
        state.last_step = int(steps[state.done - 1]) if state.done else None
        return out


def _same_point(a: tuple[int, float], b: tuple[int, float]) -> bool:
    return a[0] == b[0] and (a[1] == b[1] or (math.isnan(a[1]) and math.isnan(b[1])))


def window_start(steps: Sequence[int], last_n_steps: int | None) -> int:
    """The index of the first point within the last `last_n_steps` steps (0: all)."""
    if not last_n_steps or not len(steps):
        return 0
    return int(np.searchsorted(np.asarray(steps), steps[-1] - last_n_steps, side="left"))


def window(steps: Sequence[int], values: Sequence[float], last_n_steps: int | None) -> tuple[Sequence[int], Sequence[float]]:
    first = window_start(steps, last_n_steps)
    return steps[first:], values[first:]


def minmax_decimate(steps: Sequence[float], values: Sequence[float], buckets: int) -> tuple[list[float], list[float]]:
    """Per bucket: its min and max (NaN if the bucket held a non-finite point)."""
    n = len(steps)
    if n <= 2 * buckets or buckets < 1:
        return np.asarray(steps).tolist(), [float(v) for v in values]
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
    log_y: bool = False, cache: EmaCache | None = None, key: str = "", x: Sequence[float] | None = None,
) -> tuple[list[float], list[float]]:
    """What to draw: smoothed over the whole series, windowed by step, decimated to `width`.

    `x` (as long as `steps`, e.g. elapsed seconds) replaces the steps on the x axis; the
    window and the EMA's cache still go by step.
    """
    n = min(len(steps), len(values))
    steps, values = steps[:n], values[:n]
    smoothed = cache.smooth(key, steps, values, smoothing) if cache else (
        ema(values, smoothing) if smoothing > 0 else np.asarray(values, dtype=float))
    first = window_start(steps, last_n_steps)
    xs, ys = minmax_decimate((steps if x is None else x[:n])[first:], smoothed[first:], max(1, width))
    if log_y:
        pairs = [(a, math.log10(y)) for a, y in zip(xs, ys, strict=True) if math.isfinite(y) and y > 0]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    return list(xs), [y if math.isfinite(y) else math.nan for y in ys]
