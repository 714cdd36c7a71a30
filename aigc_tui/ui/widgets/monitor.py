"""The selected run's monitor: header, loss plot, sample grid or text, log tail.

It redraws the plot only when the tail reports new points (debounced), so a run that is
not training costs nothing.
"""

from __future__ import annotations

import time
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Log, Static

from aigc_tui.runs import LIVE_STATES, RunState
from aigc_tui.runs.summary import format_duration
from aigc_tui.styles import styled_state
from aigc_tui.ui.image_screen import open_image_view, step_label
from aigc_tui.ui.markup import literal
from aigc_tui.ui.notes_screen import notes_markup
from aigc_tui.ui.rundata import MonitorData, RowData, fit_confusion, lineage
from aigc_tui.ui.widgets.grid_image import GridImage
from aigc_tui.ui.widgets.loss_plot import LossPlot, PlotOptions
from aigc_tui.ui.widgets.plot_panel import PlotPanel
from aigc_tui.ui.widgets.quiet_static import QuietStatic

SMOOTHING_STEPS = (0.0, 0.6, 0.9, 0.99)
WINDOWS = (None, 100, 1_000, 10_000)
REDRAW_DELAY = 0.25  # new points within this long are drawn together
LIVE_REDRAW_S = 1.0  # a live run's new points redraw the plot at most this often


class SampleText(QuietStatic):
    """The sample text / confusion list; a new size refits the confusion list to it (the
    monitor's own size can stay the same while the plot's legend lines take rows from it)."""

    def on_resize(self) -> None:
        monitor = next((a for a in self.ancestors if isinstance(a, RunMonitor)), None)
        if monitor is not None:
            self.call_after_refresh(monitor._update_samples)


class RunMonitor(Vertical):
    DEFAULT_CSS = """
    RunMonitor { height: 1fr; }
    RunMonitor #run-header { height: auto; max-height: 3; padding: 0 1; background: $panel;
                             text-wrap: nowrap; text-overflow: ellipsis; }  /* each line cut, never wrapped: the plot keeps its rows at 80x24 */
    RunMonitor #monitor { height: 1fr; min-height: 8; }
    RunMonitor #sample-side { width: 40%; max-width: 60; }
    RunMonitor #sample-label { height: 1; color: $text-muted; }
    RunMonitor #sample-image { height: 1fr; }
    RunMonitor #sample-text { height: 1fr; overflow-y: auto; }
    RunMonitor #run-log { height: 20%; min-height: 2; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data: RowData | None = None
        self.monitor: MonitorData | None = None
        self.compare: dict[str, RowData] = {}  # run id -> its row, overlaid on the plot
        self.options = PlotOptions()
        self.show_markers = True
        self.sample_index = -1
        self.log_sig: tuple[int, float] | None = None
        self.gpu_line = ""
        self.tails: dict[str, str] = {}  # run id -> ` ~dddd` where its name is another run's too (the pane sets it)
        self._redraw_timer: Timer | None = None
        self._drawn_at = 0.0  # time.monotonic() of the last redraw
        self._log_shown: list[str] = []  # the log lines written, to append only what is new

    def compose(self) -> ComposeResult:
        yield QuietStatic("No run selected.", id="run-header")  # re-set every poll: no relayout for the same text
        with Horizontal(id="monitor"):
            yield PlotPanel(id="plot-panel")
            with Vertical(id="sample-side"):
                yield QuietStatic("", id="sample-label")
                yield GridImage(hint="v full view", id="sample-image")
                yield SampleText("", id="sample-text")
        yield Log(id="run-log", max_lines=500)

    def on_mount(self) -> None:
        self.options.smoothing = self.app.settings.smoothing

    # --- what is shown ----------------------------------------------------------------------
    def show_run(self, data: RowData) -> None:
        """A new run was selected: start over with its header, samples, log and plot."""
        self.data = data
        self.monitor = None
        self.sample_index = -1
        self.log_sig = None
        self.options.cursor = None
        self.query_one("#monitor").display = self.query_one("#run-log").display = True
        self.query_one("#run-log", Log).clear()
        self._log_shown = []
        self.update_header()
        self.redraw()

    def clear(self, text: str) -> None:
        """No run to show (none left, or the shown one was deleted elsewhere): only `text`."""
        self.data, self.monitor, self.compare = None, None, {}
        self.query_one("#run-header", Static).update(text)
        self.query_one("#monitor").display = self.query_one("#run-log").display = False

    def update(self, data: RowData, monitor: MonitorData | None) -> None:
        """Fresh rows from the pane's poll (same run)."""
        self.data = data
        if monitor is not None and monitor.run_id == data.row.id:
            self.monitor = monitor
            self._update_samples()
            self._update_log(monitor)
        self.update_header()

    def update_header(self) -> None:
        data = self.data
        if data is None:
            return
        r = data.row
        sweep = f" {escape(data.sweep_label)}" if data.sweep_label else ""  # what this run of a sweep varied
        parts = [f"[b]{escape(r.name)}[/b]{escape(self.tails.get(r.id, ''))}{sweep}  {escape(r.kind)}  {styled_state(r.state, r.state_text)}  step {r.progress}"]
        if r.throughput:  # an ended run's is the last one measured: its final speed
            parts.append(("final " if r.ended_at else "") + r.speed_text)
        if r.eta_seconds is not None:
            parts.append(f"eta {format_duration(r.eta_seconds)}")
        elif r.ended_at and r.started_at:
            parts.append(f"took {format_duration(r.elapsed(r.ended_at))}")
        parts.append(r.device or "")
        if self.gpu_line and r.device.startswith("cuda"):
            parts.append(self.gpu_line)
        text = "  ".join(p for p in parts if p)
        origin = lineage(self.monitor.status) if self.monitor is not None else ""
        if origin:
            text += f"\n[dim]{literal(origin)}[/]"
        if r.command:
            text += f"\n[dim]$ {escape(r.command)}[/]"
        if r.error:
            text += f"\n[red]error: {r.error}[/]"
        if r.tags or r.note:
            text += f"\n{notes_markup(r)}"
        self.query_one("#run-header", Static).update(text)

    def _update_samples(self) -> None:
        """Show the latest grid (or the scrubbed one), the sampled text, or why the run ended."""
        monitor = self.monitor
        if monitor is None or not self.is_attached:  # a late call (a resize's) after the pane was removed
            return
        image = self.query_one("#sample-image", GridImage)
        label = self.query_one("#sample-label", Static)
        text = self.query_one("#sample-text", Static)
        status = monitor.status
        if status.state in (RunState.FAILED, RunState.LOST) and (status.traceback or status.error):
            image.display, text.display = False, True
            label.update("[red]why it ended[/]")
            text.update(status.traceback or status.error or "")
            return
        pngs = monitor.pngs
        if monitor.confusion is not None:  # a classifier: its dev confusion matrix, then a sample
            image.display, text.display = False, True
            label.update("confusion matrix (dev)")
            sample = f"\n\n{literal(monitor.latest_text[1])}" if monitor.latest_text else ""
            text.update(fit_confusion(monitor.confusion, text.size.height, text.size.width) + sample)
        elif pngs:
            index = self.sample_index if -len(pngs) <= self.sample_index < len(pngs) else -1
            chosen = pngs[index]
            image.display, text.display = True, False
            image.show(chosen)  # at an integer scale; redrawn only when the file changed
            pos = len(pngs) + index + 1 if index < 0 else index + 1
            label.update(f"{step_label(chosen)}  {pos}/{len(pngs)}  [ ] scrub  v view")
        elif monitor.latest_text is not None:
            image.display, text.display = False, True
            label.update(f"sample at {monitor.latest_text[0]}")
            text.update(literal(monitor.latest_text[1]))  # "[MASK]" is text, not markup
        else:
            image.display, text.display = False, True
            label.update("")
            text.update("no samples yet")

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_samples)  # the confusion list fits the new height

    def open_view(self) -> None:
        """The run's grids full screen (`v`, or a click on the grid), at the one shown here."""
        if self.data is None:
            self.app.notify("no run selected", severity="warning")
            return
        open_image_view(self.app, self.data.run, self.query_one("#sample-image", GridImage).path)

    def on_grid_image_open(self, event: GridImage.Open) -> None:
        event.stop()
        self.open_view()

    def _update_log(self, monitor: MonitorData) -> None:
        """Append the log's new lines (a full rewrite relayouts the screen and loses the reader's
        place); write it whole only when it does not continue what is shown."""
        if monitor.log_lines is None or monitor.log_sig == self.log_sig:
            return
        self.log_sig = monitor.log_sig
        log = self.query_one("#run-log", Log)
        lines, shown = monitor.log_lines, self._log_shown
        new = continuation(shown, lines)
        self._log_shown = list(lines)
        if new is None:
            log.clear()
            log.write_lines(lines)
            self.call_after_refresh(log.scroll_end, animate=False)
        elif new:
            log.write_lines(new)  # follows the end only where the reader is (scrolled back: stays put)

    def set_gpu_line(self, line: str) -> None:
        self.gpu_line = line
        self.update_header()

    def gpu_index(self) -> int | None:
        """The selected run's CUDA device index, or None when it does not train on a GPU."""
        device = self.data.row.device if self.data else ""
        if not device.startswith("cuda"):
            return None
        return int(device.split(":")[1].split()[0]) if ":" in device else 0

    @staticmethod
    def read_gpu_line(index: int) -> str:
        """NVML figures for one GPU (call off the UI thread)."""
        from aigc_tui.launch.devices import list_gpus  # the launch package loads the recipe schema

        gpu = {g.index: g for g in list_gpus()}.get(index)
        return f"gpu {gpu.util_percent}%  {gpu.mem_used_gb:.1f}/{gpu.mem_total_gb:.0f} GB" if gpu else ""

    # --- the plot ---------------------------------------------------------------------------
    def mark_dirty(self, run_id: str | None = None) -> None:
        """New points arrived (for `run_id`), or options changed (None): redraw once shortly.

        While the shown run trains, its points redraw at most once per LIVE_REDRAW_S: a GPU
        run logs several times a second, and each redraw costs the app a relayout. A change
        the user made is drawn after REDRAW_DELAY even while a live redraw waits.
        """
        if run_id is not None and (self.data is None or run_id != self.data.row.id) and run_id not in self.compare:
            return
        plot = next(iter(self.query(LossPlot)), None)  # None while the plot panel is still being built
        if run_id is not None and plot is not None and not plot.series:
            self.redraw()  # a run's first points: draw now
            return
        if run_id is None and self._redraw_timer is not None:  # do not wait behind a live redraw
            self._redraw_timer.stop()
            self._redraw_timer = None
        if self._redraw_timer is None:
            delay = REDRAW_DELAY
            if run_id is not None and self.data is not None and self.data.row.state in LIVE_STATES:
                delay = max(delay, LIVE_REDRAW_S - (time.monotonic() - self._drawn_at))
            self._redraw_timer = self.set_timer(delay, self.redraw)

    def redraw(self) -> None:
        if self._redraw_timer is not None:
            self._redraw_timer.stop()
            self._redraw_timer = None
        self._drawn_at = time.monotonic()
        data = self.data
        if data is None:
            return
        self.query_one(PlotPanel).draw(data, self.compare, self.options, self.show_markers)

    def cycle_smoothing(self) -> float:
        steps = SMOOTHING_STEPS
        current = min(range(len(steps)), key=lambda i: abs(steps[i] - self.options.smoothing))
        self.options.smoothing = steps[(current + 1) % len(steps)]
        self.mark_dirty()
        return self.options.smoothing

    def toggle_log(self) -> None:
        self.options.log_y = not self.options.log_y
        self.mark_dirty()

    def cycle_window(self) -> None:
        self.options.last_n_steps = WINDOWS[(WINDOWS.index(self.options.last_n_steps) + 1) % len(WINDOWS)]
        self.mark_dirty()

    def toggle_markers(self) -> None:
        self.show_markers = not self.show_markers
        self.mark_dirty()

    def scrub(self, delta: int) -> None:
        if self.monitor is None or not self.monitor.pngs:
            return
        count = len(self.monitor.pngs)
        pos = (count + self.sample_index if self.sample_index < 0 else self.sample_index) + delta
        pos = max(0, min(count - 1, pos))
        self.sample_index = pos - count  # negative: the newest stays "latest" as grids arrive
        self._update_samples()


def continuation(shown: list[str], lines: list[str]) -> list[str] | None:
    """The lines of `lines` (a log's newest tail) that come after those already `shown`, or
    None when `lines` does not continue them (a new run, a truncated or rewritten log)."""
    if not shown:
        return None
    for end in range(len(lines), 0, -1):  # the longest overlap: the tail of shown == the head of lines
        if lines[end - 1] == shown[-1] and lines[:end] == shown[-end:]:
            return lines[end:]
    return None
