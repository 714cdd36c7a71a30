"""Metric curves through textual-plotext: several series, EMA, log-y, step or wall-time x, markers.

The legend is not drawn here (plotext puts it over the curves): each series has a colour
from PALETTE and the plot panel prints the names in those colours outside the plot area.
Tick labels are the real units: losses on a log axis, h:mm / m:ss on a time axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from textual_plotext import PlotextPlot

from aigc_tui.ui.plot_ticks import log_ticks, nice_linear, step_ticks, time_ticks
from aigc_tui.ui.series import EmaCache, prepare

# Distinct on dark and light themes; the legend prints names in the same RGB.
PALETTE = ((86, 180, 233), (230, 159, 0), (0, 200, 120), (240, 80, 160), (200, 200, 60), (150, 120, 255),
           (255, 110, 80), (120, 220, 220))


def rgb(index: int) -> tuple[int, int, int]:
    return PALETTE[index % len(PALETTE)]


@dataclass
class PlotSeries:
    label: str
    steps: Sequence[int]
    values: Sequence[float]
    times: Sequence[float] | None = None  # unix seconds per point (for a wall-time x axis)
    color: int | None = None  # index into PALETTE (None: its place in the list)
    key: str = ""  # what identifies the data (run and metric) for the EMA cache; default: the label


@dataclass
class PlotOptions:
    smoothing: float = 0.6
    log_y: bool = False
    last_n_steps: int | None = None
    x_time: bool = False  # x = wall time since the run's first logged point, not step
    cursor: int | None = None  # a step to mark with a vertical line (None: no cursor)
    markers: list[int] = field(default_factory=list)  # e.g. checkpoint steps
    nonfinite: Sequence[int] = ()  # logged steps whose interval had NaN/inf steps


def elapsed(series: PlotSeries) -> np.ndarray | None:
    """Seconds since the series' first point, or None when it has no times."""
    if series.times is None or not len(series.times):
        return None
    times = np.asarray(series.times, dtype=np.float64)
    return times - times[0]


class LossPlot(PlotextPlot):
    DEFAULT_CSS = "LossPlot { height: 1fr; min-height: 6; }"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.series: list[PlotSeries] = []
        self.options = PlotOptions()
        self.title = ""
        self.show_title = True
        self.inner_legend = True  # plotext's own legend (over the curves); the Runs panel prints its own
        self.drawn = 0
        self.undrawn: list[str] = []  # series with nothing to draw (e.g. no value > 0 on a log axis)
        self.x_unit = "step"  # or the wall-time labels' format: m:ss, h:mm
        self._ema = EmaCache()  # redraws smooth only the points that arrived since the last one

    def show(self, series: list[PlotSeries], options: PlotOptions, title: str = "") -> None:
        self.series, self.options, self.title = series, options, title
        self.replot()

    def on_resize(self) -> None:
        self.replot()

    def x_of_steps(self, steps: Sequence[int]) -> list[float]:
        """Where steps lie on the x axis (their elapsed time on a wall-time axis), all at once."""
        if not self.options.x_time or not self.series or not len(steps):
            return list(steps)
        first = self.series[0]
        x = elapsed(first)
        return list(steps) if x is None else np.interp(steps, np.asarray(first.steps), x).tolist()

    def replot(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        opts = self.options
        width = max(10, self.size.width - 12)
        x_lo, x_hi, y_lo, y_hi = math.inf, -math.inf, math.inf, -math.inf
        self.drawn, self.undrawn = 0, []
        lasts = [s.steps[-1] for s in self.series if len(s.steps)]
        # the window counts back from the newest step of all the runs shown (tester7 H12)
        cut = max(lasts) - opts.last_n_steps if opts.last_n_steps and lasts and not opts.x_time else None
        for index, s in enumerate(self.series):
            x = elapsed(s) if opts.x_time else None
            if opts.x_time and x is None:
                continue
            xs, ys = prepare(s.steps, s.values, opts.smoothing, opts.last_n_steps, width, opts.log_y,
                             cache=self._ema, key=s.key or s.label, x=x)
            if cut is not None:
                xs, ys = [x for x in xs if x >= cut], [y for x, y in zip(xs, ys, strict=True) if x >= cut]
            finite = [y for y in ys if math.isfinite(y)]
            if not xs or not finite:
                self.undrawn.append(s.label)
                continue
            plt.plot(xs, ys, color=rgb(index if s.color is None else s.color), marker="braille",
                     label=s.label if self.inner_legend else None)
            self.drawn += 1
            x_lo, x_hi = min(x_lo, xs[0], min(xs)), max(x_hi, max(xs))
            y_lo, y_hi = min(y_lo, min(finite)), max(y_hi, max(finite))
        self._ema.keep({s.key or s.label for s in self.series})
        for x in self.x_of_steps(opts.markers):
            if x_lo <= x <= x_hi:  # one outside the window must not widen the x axis (tester7 H12)
                plt.vline(x, "gray")
        bad = opts.nonfinite[-2 * width:]  # the newest, at most ~2 a column
        for x in self.x_of_steps(bad[:: max(1, len(bad) // width)]):
            if x_lo <= x <= x_hi:
                plt.vline(x, "red")  # the loss was NaN/inf there: the guard skipped those steps
        if opts.cursor is not None and self.drawn:
            plt.vline(self.x_of_steps([opts.cursor])[0], "white")
        if self.drawn:
            self._ticks(x_lo, x_hi, y_lo, y_hi)
        if self.show_title and self.title:
            plt.title(self.title if self.drawn else f"{self.title}  (no metrics yet)")
        self.refresh()

    def _ticks(self, x_lo: float, x_hi: float, y_lo: float, y_hi: float) -> None:
        """Tick labels in real units; plotext keeps only those inside the data's range."""
        plt, opts = self.plt, self.options
        want_x = max(2, min(8, self.size.width // 14))
        want_y = max(2, min(6, self.size.height // 3))
        xt, xl = time_ticks(x_lo, x_hi, want_x) if opts.x_time else step_ticks(x_lo, x_hi, want_x)
        self.x_unit = ("h:mm" if x_hi >= 3600 else "m:ss") if opts.x_time else "step"
        if xt:
            plt.xticks(xt, xl)
        if opts.log_y:
            yt, yl = log_ticks(y_lo, y_hi, want_y)
            if yt:
                plt.yticks(yt, yl)
        else:
            yt = nice_linear(y_lo, y_hi, want_y)
            if len(yt) >= 2:
                plt.yticks(yt, [f"{t:.4g}" for t in yt])
