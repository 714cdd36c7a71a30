"""The Runs monitor's plot: a legend line, the curves, and a cursor readout line.

What is plotted: the metrics picked for the selected run's kind (remembered per kind in
the settings; the recipe's losses until then), for the selected run and every run marked
for comparison that logs them. The legend sits outside the plot area (plotext's own would
cover the curves); the readout prints the logged values of every series at the cursor step.

Runs overlaid for comparison are drawn one metric at a time (`M` the next picked metric),
a colour per run: the legend and the readout then name the metric once and have one short
entry per run, so every compared run is named and read on two lines at 80-120 columns (a
"run:metric" entry per curve left all but the selected run's as "+N more").
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from aigc_tui.runs.summary import plotted_series
from aigc_tui.ui.legend_pack import pack
from aigc_tui.ui.plot_ticks import fmt_clock, fmt_step, fmt_value
from aigc_tui.ui.rundata import RowData, plotted, shown_names
from aigc_tui.ui.series import window_start
from aigc_tui.ui.widgets.loss_plot import LossPlot, PlotOptions, PlotSeries, rgb
from aigc_tui.ui.widgets.quiet_static import QuietStatic

LINES = 2  # the legend's and the readout's height at most (their CSS max-height)
HIDDEN = ("nonfinite",)  # bookkeeping the plot shows as red lines, not a curve to pick


def _common_name(runs: list[RowData]) -> str:
    """The name every one of several runs shares (a sweep's), else ""."""
    names = {run.row.name for run in runs}
    return names.pop() if len(runs) > 1 and len(names) == 1 else ""


def swatch(label: str, color: int) -> str:
    r, g, b = rgb(color)
    return f"[rgb({r},{g},{b})]━━ {escape(label)}[/]"


class PlotPanel(Vertical):
    DEFAULT_CSS = """
    PlotPanel { width: 1fr; height: 1fr; }
    PlotPanel #plot-legend { height: auto; max-height: 2; padding: 0 1; }
    PlotPanel #plot-readout { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dropped: list[str] = []  # marked runs not plotted: they log none of the metrics
        self._legend_for: tuple[RowData, tuple[str, ...], bool] | None = None
        self.compared = 0  # which picked metric runs are compared on (`M` moves it on)
        self.compared_metric = ""  # that metric, while runs are overlaid ("" when not)
        self.shared_name = ""  # the overlaid runs' one name (a sweep's), said once in the legend

    def compose(self) -> ComposeResult:
        yield QuietStatic("", id="plot-legend", fitted=True)  # pack() fits each line
        plot = LossPlot(id="loss-plot")
        plot.inner_legend = plot.show_title = False
        yield plot
        yield QuietStatic("", id="plot-readout", fitted=True)

    @property
    def plot(self) -> LossPlot:
        return self.query_one(LossPlot)

    # --- which metrics --------------------------------------------------------------------
    def metrics_for(self, kind: str, keys: tuple[str, ...]) -> tuple[str, ...]:
        """The metrics picked for this kind of run that this run logs; else the recipe's losses."""
        saved = self.app.settings.plot_metrics.get(kind) or []
        names = tuple(n for n in saved if n in keys)
        return names or plotted_series(kind, keys)

    def available(self, run_id: str) -> list[str]:
        """Every metric the run logs (the picker's list)."""
        reader = self.app.tail.reader(run_id)
        return [k for k in reader.keys if k not in HIDDEN] if reader is not None else []

    def _load(self, data: RowData) -> None:
        """Tail the run's picked metrics too (a reader loads only the metrics it was asked for)."""
        keys = plotted(data.row.kind)
        if keys is not None:
            keys = (*keys, *(self.app.settings.plot_metrics.get(data.row.kind) or ()))
        self.app.tail.watch(data.row.id, data.run.path, keys)

    # --- drawing --------------------------------------------------------------------------
    def draw(self, data: RowData, compare: dict[str, RowData], options: PlotOptions, markers: bool = True) -> None:
        """Plot the selected run (and the marked runs that log its metrics)."""
        tail = self.app.tail
        self._load(data)
        reader = tail.reader(data.row.id)
        metrics = self.metrics_for(data.row.kind, reader.keys if reader is not None else ())
        others = [compare[r] for r in sorted(compare) if r != data.row.id]
        names = shown_names([data, *others])  # a sweep's runs share a name: told apart by their values
        found: list[tuple[int, RowData, str, Any]] = []  # (run's place, run, metric, its series)
        self.dropped = []
        for ri, run in enumerate([data, *others]):
            if ri:
                tail.watch(run.row.id, run.run.path, (*metrics, "nonfinite") if plotted(run.row.kind) else None)
            run_reader = tail.reader(run.row.id)
            if run_reader is None:
                continue
            if ri and run_reader.keys and not any(m in run_reader.keys for m in metrics):
                self.dropped.append(names[run.row.id])  # another kind of run: nothing in common
                continue
            found += [(ri, run, m, run_reader.series[m]) for m in metrics if m in run_reader.series]
        comparing = any(ri for ri, *_ in found)
        self.compared_metric = ""
        if comparing:  # one metric at a time, a colour per run: every run named and read on two lines
            logged = [m for m in metrics if any(metric == m for _, _, metric, _ in found)]
            self.compared_metric = logged[self.compared % len(logged)]
            found = [f for f in found if f[2] == self.compared_metric]
        common = self.shared_name = _common_name([run for _, run, _, _ in found]) if comparing else ""
        series = []
        for ri, run, metric, s in found:
            name = names[run.row.id]
            if common and name != common:
                name = name.removeprefix(f"{common} ")  # a sweep: its values alone, the name said once
            label = name if comparing else metric
            color = ri if comparing else metrics.index(metric)
            series.append(PlotSeries(label, s.steps, s.values, s.times, color, key=f"{run.row.id}/{metric}"))
        options.markers = [c.step for c in data.run.checkpoints()] if markers else []
        flags = reader.series.get("nonfinite") if reader is not None else None
        options.nonfinite = flags.steps[flags.values != 0] if flags else ()  # an array: a long run has 1M points
        self.plot.show(series, options, title=data.row.name)
        self._legend(data, metrics, comparing)
        self.update_readout()

    def _legend(self, data: RowData, metrics: tuple[str, ...], comparing: bool) -> None:
        self._legend_for = (data, metrics, comparing)  # drawn again on a resize
        opts, plot = self.plot.options, self.plot
        head, entries = [], []
        if not plot.series:
            head = [f"[dim]{escape(data.row.name)}: no {', '.join(metrics) or 'metrics'} logged yet[/]"]
        else:
            entries = [swatch(s.label, i if s.color is None else s.color) for i, s in enumerate(plot.series)]
            if comparing:
                head = [self._compared_head(metrics)]
        mode = [f"ema {opts.smoothing:g}" if opts.smoothing else "raw",
                f"last {opts.last_n_steps:,}" if opts.last_n_steps else "",
                "log y" if opts.log_y else "", f"x {plot.x_unit}" if opts.x_time else ""]
        tail = [f"[dim]{' · '.join(m for m in mode if m)}[/]"]
        if len(opts.nonfinite):
            tail.append(f"[red]! non-finite at {len(opts.nonfinite)} log points (red)[/]")
        if plot.undrawn and opts.log_y:
            tail.append(f"[dim]nothing > 0 for log y: {escape(', '.join(plot.undrawn))}[/]")
        if self.dropped:
            why = f"no {'/'.join(metrics)}" if metrics else "nothing to compare with"  # this run logs none
            tail.append(f"[dim]not plotted: {escape(', '.join(self.dropped))} ({escape(why)})[/]")  # names first
        legend = self.query_one("#plot-legend", Static)
        legend.update(pack(entries, legend.content_size.width, LINES, head, tail))

    def _compared_head(self, metrics: tuple[str, ...]) -> str:
        """`sw · loss_d (1/2 M):` — the shared name, the compared metric, and how to see the next."""
        shared, metric = self.shared_name, self.compared_metric
        place = f" ({metrics.index(metric) + 1}/{len(metrics)} M)" if len(metrics) > 1 else ""
        return f"{escape(shared) + ' · ' if shared else ''}[b]{escape(metric)}[/]{place}:"

    def on_resize(self) -> None:
        """Entries are packed to the width: pack them again for the new one."""
        if self._legend_for is not None:
            self._legend(*self._legend_for)
            self.update_readout()

    # --- the cursor -----------------------------------------------------------------------
    def cursor_step(self) -> int | None:
        """The step under the cursor: where it was put, else the newest logged step."""
        series = self.plot.series
        if not series or not len(series[0].steps):
            return None
        cursor = self.plot.options.cursor
        return int(series[0].steps[-1]) if cursor is None else cursor

    def move_cursor(self, columns: int) -> None:
        """Move the cursor by about `columns` plot columns, onto a logged step; past the newest
        step it follows new points again."""
        series, opts = self.plot.series, self.plot.options
        if not series or not len(series[0].steps):
            return
        steps = np.asarray(series[0].steps)
        first = window_start(steps, opts.last_n_steps)
        current = self.cursor_step() or int(steps[-1])
        per_column = max(1.0, (float(steps[-1]) - float(steps[first])) / max(10, self.plot.size.width - 12))
        target = current + per_column * columns
        if columns > 0:
            index = int(np.searchsorted(steps, target, side="left"))
        else:
            index = int(np.searchsorted(steps, target, side="right")) - 1
        index = max(first, min(len(steps) - 1, index))
        opts.cursor = None if index == len(steps) - 1 else int(steps[index])
        self.plot.replot()
        self.update_readout()

    def update_readout(self) -> None:
        """`step 240 · 4:00 │ loss_d 1.16  loss_g 1.00`: the logged values at the cursor step."""
        readout = self.query_one("#plot-readout", Static)
        step = self.cursor_step()
        series = self.plot.series
        if step is None:
            readout.update("")
            return
        pinned = self.plot.options.cursor is not None
        head = f"{'cursor' if pinned else 'step'} {fmt_step(step) if step >= 10_000 else step}"
        first = series[0]
        if first.times is not None and len(first.times):
            index = max(0, int(np.searchsorted(first.steps, step, side="right")) - 1)
            head += f" {fmt_clock(float(first.times[index]) - float(first.times[0]))}"
        parts = []
        for i, s in enumerate(series):
            index = int(np.searchsorted(s.steps, step, side="right")) - 1
            value = fmt_value(float(s.values[index])) if index >= 0 else "-"
            if index >= 0 and int(s.steps[index]) != step:  # logged less often, or the run ended earlier
                value += f"[dim]@{fmt_step(int(s.steps[index]))}[/]"
            r, g, b = rgb(i if s.color is None else s.color)
            parts.append(f"[rgb({r},{g},{b})]{escape(s.label)}[/] {value}")
        if self.compared_metric:  # one metric, a value per run
            head += f" {escape(self.compared_metric)}"
        hint = [] if pinned else ["[dim](, . cursor)[/]"]
        readout.update(pack(parts, readout.content_size.width, LINES, [f"[b]{head}[/]"], hint))
