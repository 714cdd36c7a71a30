"""Axis ticks a person can read: losses on a log axis, elapsed wall time, step counts.

Plotext labels ticks with the numbers it plots; on a log axis those are log10 values
(`-0.195`), on a wall-time axis unix seconds. These functions choose tick positions in
plotted units and label them in the units people think in.
"""

from __future__ import annotations

import math

import numpy as np

TIME_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def fmt_value(value: float) -> str:
    """A metric value in few characters: 0.693, 12.4, 1.2e-05, 3.1e+04."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.4g}"
    return f"{value:.2g}"


def fmt_tick(value: float) -> str:
    """A tick label: as short as the value allows (0.5, 2, 1e-04)."""
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}" if abs(value) < 1e3 else f"{value:.4g}"  # 1000, not 1e+03
    return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e")


def fmt_step(step: float) -> str:
    """1,200 -> 1.2k; 3,000,000 -> 3M."""
    step = float(step)
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(step) >= size:
            return f"{step / size:.3g}{suffix}"
    return f"{step:.0f}"


def fmt_elapsed(seconds: float, hours: bool | None = None) -> str:
    """Elapsed wall time: m:ss under an hour, else h:mm (or as `hours` forces)."""
    seconds = max(0.0, float(seconds))
    if hours is None:
        hours = seconds >= 3600
    whole = int(round(seconds)) if not hours else int(seconds)
    if hours:
        return f"{whole // 3600}:{whole % 3600 // 60:02d}"
    return f"{whole // 60}:{whole % 60:02d}"


def fmt_clock(seconds: float) -> str:
    """Elapsed time to the second: m:ss, or h:mm:ss past an hour (the cursor readout)."""
    whole = int(round(max(0.0, float(seconds))))
    if whole < 3600:
        return f"{whole // 60}:{whole % 60:02d}"
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def nice_linear(lo: float, hi: float, want: int = 5) -> list[float]:
    """Round ticks (1, 2, 2.5, 5 x 10^k apart) inside [lo, hi]: at least two when the range has any."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    for more in range(4):
        ticks = _nice_linear(lo, hi, want + more)
        if len(ticks) >= 2:
            break
    return ticks


def _nice_linear(lo: float, hi: float, want: int) -> list[float]:
    raw = (hi - lo) / max(1, want)
    base = 10 ** math.floor(math.log10(raw))
    step = next(m * base for m in (1, 2, 2.5, 5, 10) if m * base >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = np.arange(first, hi + step * 1e-9, step)
    return [float(round(t, 12)) for t in ticks]


def log_ticks(lo: float, hi: float, want: int = 5) -> tuple[list[float], list[str]]:
    """Ticks for a log10 y axis whose data spans [lo, hi] in log10 units.

    Returns positions (log10) and labels in the data's own units: 1, 2, 5, 10 ... over
    several decades, round linear values when the data spans less than a decade.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [], []
    if hi - lo < 1e-12:
        value = 10**lo
        return [lo], [fmt_tick(value)]
    real_lo, real_hi = 10**lo, 10**hi
    values: list[float] = []
    for mantissas in ((1,), (1, 3), (1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9)):
        values = [m * 10.0**e for e in range(math.floor(lo) - 1, math.ceil(hi) + 1) for m in mantissas
                  if real_lo * (1 - 1e-9) <= m * 10.0**e <= real_hi * (1 + 1e-9)]
        if len(values) >= 3:
            break
    if len(values) > max(3, want):  # too many: every k-th kept only the crowded low end (0.6 0.8 1, no 2)
        values = _spread(values, lo, hi, max(3, want))
    linear = [v for v in nice_linear(real_lo, real_hi, want) if v > 0]
    if hi - lo < 1 and len(values) < min(want, len(linear)):  # less than a decade: round linear values
        values = linear
    return [math.log10(v) for v in values], [fmt_tick(v) for v in values]


def _spread(values: list[float], lo: float, hi: float, want: int) -> list[float]:
    """`want` of the values, spread evenly over the log axis [lo, hi]: near each of `want` evenly spaced
    points, the roundest value (1 before 2 or 5, before the rest), then the nearest."""
    gap = (hi - lo) / (want - 1)
    logs = [math.log10(v) for v in values]

    def roundness(v: float) -> int:
        m = round(v / 10 ** math.floor(math.log10(v) + 1e-9), 6)
        return 0 if m == 1 else 1 if m in (2, 5) else 2

    picked = set()
    for target in (lo + gap * k for k in range(want)):
        near = [i for i, x in enumerate(logs) if abs(x - target) <= gap / 2] or \
            [min(range(len(logs)), key=lambda i: abs(logs[i] - target))]
        picked.add(min(near, key=lambda i: (roundness(values[i]), abs(logs[i] - target))))
    return [values[i] for i in sorted(picked)]


def time_ticks(lo: float, hi: float, want: int = 5) -> tuple[list[float], list[str]]:
    """Ticks for an elapsed-seconds x axis, labelled m:ss (or h:mm past an hour)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [], []
    span = max(hi - lo, 1e-9)
    step = next((s for s in TIME_STEPS if span / s <= want), TIME_STEPS[-1] * math.ceil(span / want / 86400))
    hours = hi >= 3600
    ticks = np.arange(math.ceil(lo / step) * step, hi + 1e-9, step)
    return [float(t) for t in ticks], [fmt_elapsed(t, hours) for t in ticks]


def step_ticks(lo: float, hi: float, want: int = 5) -> tuple[list[float], list[str]]:
    """Ticks for a step x axis, labelled 500, 1k, 1.5k, 2M."""
    ticks = [t for t in nice_linear(lo, hi, want) if t >= 0 or lo < 0]
    return ticks, [fmt_step(t) for t in ticks]
