"""Loss curves through textual-plotext: several series, EMA, log-y, a step window, overlays, markers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from textual_plotext import PlotextPlot

from aigc_tui.ui.series import EmaCache, prepare


@dataclass
class PlotSeries:
    label: str
    steps: Sequence[int]
    values: Sequence[float]


@dataclass
class PlotOptions:
    smoothing: float = 0.6
    log_y: bool = False
    last_n_steps: int | None = None
    markers: list[int] = field(default_factory=list)  # e.g. checkpoint steps
    nonfinite: list[int] = field(default_factory=list)  # logged steps whose interval had NaN/inf steps


class LossPlot(PlotextPlot):
    DEFAULT_CSS = "LossPlot { height: 1fr; min-height: 8; }"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.series: list[PlotSeries] = []
        self.options = PlotOptions()
        self.title = ""
        self._ema = EmaCache()  # redraws smooth only the points that arrived since the last one

    def show(self, series: list[PlotSeries], options: PlotOptions, title: str = "") -> None:
        self.series, self.options, self.title = series, options, title
        self.replot()

    def on_resize(self) -> None:
        self.replot()

    def replot(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        opts = self.options
        width = max(10, self.size.width - 12)
        drawn = 0
        for s in self.series:
            xs, ys = prepare(s.steps, s.values, opts.smoothing, opts.last_n_steps, width, opts.log_y,
                             cache=self._ema, key=s.label)
            if xs:
                plt.plot(xs, ys, label=s.label, marker="braille")
                drawn += 1
        for step in opts.markers:
            plt.vline(step, "gray")
        bad = opts.nonfinite[-2 * width:] if opts.nonfinite else []  # the newest, at most ~2 a column
        for step in bad[:: max(1, len(bad) // width)]:
            plt.vline(step, "red")  # the loss was NaN/inf there: the divergence guard skipped those steps
        smooth = f"ema {opts.smoothing:g}" if opts.smoothing else "raw"
        window = f"last {opts.last_n_steps:,} steps" if opts.last_n_steps else "all steps"
        warn = f"  ! non-finite at {len(opts.nonfinite)} log points (red)" if opts.nonfinite else ""
        plt.title(f"{self.title}  [{smooth}, {window}{', log10 y' if opts.log_y else ''}]{warn}" if drawn else
                  f"{self.title}  (no metrics yet)")
        plt.xlabel("step")
        self.refresh()
