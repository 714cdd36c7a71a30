"""Turn a metric series into what a plot of a given width should draw.

Smoothing runs over the full series first; then the result is decimated to about two
points per column with per-bucket min and max, so spikes and NaNs stay visible however
long the run is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def ema(values: Sequence[float], weight: float) -> list[float]:
    """TensorBoard-style debiased EMA; NaN/inf pass through without poisoning what follows."""
    if weight <= 0:
        return list(values)
    out: list[float] = []
    last, count = 0.0, 0
    for v in values:
        if not math.isfinite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        count += 1
        out.append(last / (1 - weight**count))
    return out


def window(steps: Sequence[int], values: Sequence[float], last_n_steps: int | None) -> tuple[list[int], list[float]]:
    if not last_n_steps or not steps:
        return list(steps), list(values)
    start = steps[-1] - last_n_steps
    first = next((i for i, s in enumerate(steps) if s >= start), len(steps))
    return list(steps[first:]), list(values[first:])


def minmax_decimate(steps: Sequence[int], values: Sequence[float], buckets: int) -> tuple[list[int], list[float]]:
    """Keep each bucket's min and max (in step order), and any non-finite point."""
    n = len(steps)
    if n <= 2 * buckets or buckets < 1:
        return list(steps), list(values)
    xs: list[int] = []
    ys: list[float] = []
    size = n / buckets
    for b in range(buckets):
        lo, hi = int(b * size), min(n, int((b + 1) * size))
        if lo >= hi:
            continue
        chunk = range(lo, hi)
        bad = [i for i in chunk if not math.isfinite(values[i])]
        finite = [i for i in chunk if math.isfinite(values[i])]
        keep = set(bad[:1])
        if finite:
            keep.add(min(finite, key=lambda i: values[i]))
            keep.add(max(finite, key=lambda i: values[i]))
        for i in sorted(keep):
            xs.append(steps[i])
            ys.append(values[i])
    return xs, ys


def prepare(
    steps: Sequence[int], values: Sequence[float], smoothing: float, last_n_steps: int | None, width: int,
    log_y: bool = False,
) -> tuple[list[int], list[float]]:
    smoothed = ema(values, smoothing)
    xs, ys = window(steps, smoothed, last_n_steps)
    xs, ys = minmax_decimate(xs, ys, max(1, width))
    if log_y:
        pairs = [(x, math.log10(y)) for x, y in zip(xs, ys, strict=True) if math.isfinite(y) and y > 0]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    return xs, [y if math.isfinite(y) else math.nan for y in ys]
