"""Runs and Monitor: the runs table, live loss plots, the sample grid or text, the log tail."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Log, Static

from aigc_tui.errors import AigcError
from aigc_tui.launch import resume_worker
from aigc_tui.runs import ControlAction, RunState, RunStatus, list_runs, request_control
from aigc_tui.runs.checkpoints import CheckpointInfo, best_checkpoint
from aigc_tui.runs.layout import SAMPLE_IMAGE_SUFFIX, SAMPLE_TEXT_SUFFIX
from aigc_tui.runs.store import Run
from aigc_tui.runs.summary import (
    PRIMARY_SERIES,
    STATE_STYLE,
    RunRow,
    format_duration,
    plotted_series,
    run_row,
)
from aigc_tui.ui.gpu import list_gpus
from aigc_tui.ui.tail import MetricsAppended
from aigc_tui.ui.widgets.loss_plot import LossPlot, PlotOptions, PlotSeries
from aigc_tui.ui.widgets.sample_image import SampleImage

SMOOTHING_STEPS = (0.0, 0.6, 0.9, 0.99)
WINDOWS = (None, 100, 1_000, 10_000)
__all__ = ["PRIMARY_SERIES", "RunsPane", "resume_run"]


def plotted(kind: str) -> tuple[str, ...] | None:
    """The metrics the monitor loads for a run of this kind (a long run's others stay on disk)."""
    return PRIMARY_SERIES.get(kind)  # None (every metric) for a script run: its names vary


@dataclass
class RowData:
    row: RunRow
    best: str
    run: Run


@dataclass
class MonitorData:
    """What the monitor shows of the selected run, read off the UI thread."""

    run_id: str
    status: RunStatus
    pngs: list[Path]
    latest_text: tuple[str, str] | None  # (sample name, text) for LMs
    log_sig: tuple[int, float]
    log_lines: list[str] | None  # None: unchanged since the last read


@dataclass
class RowCache:
    """Configs never change after creation; the best metric only when checkpoints do."""

    configs: dict[str, dict] = field(default_factory=dict)
    best: dict[str, tuple[int, str]] = field(default_factory=dict)


def _best_label(run: Run, config: dict, cache: RowCache) -> str:
    cfg = config.get("run", {})
    metric = cfg.get("keep_best") or ""
    if not metric:
        return "-"
    try:
        stamp = run.checkpoints_dir.stat().st_mtime_ns
    except OSError:
        return "-"
    cached = cache.best.get(run.id)
    if cached and cached[0] == stamp:
        return cached[1]
    best = best_checkpoint(run.checkpoints(), metric, cfg.get("best_mode", "min"))
    label = f"{metric} {best.metrics[metric]:.4g}" if best else "-"
    cache.best[run.id] = (stamp, label)
    return label


def collect_rows(runs_dir: Path, cache: RowCache | None = None) -> list[RowData]:
    """File reads for the table, done off the UI thread."""
    cache = cache or RowCache()
    out = []
    for run in list_runs(runs_dir):
        config = cache.configs.get(run.id)
        if not config:
            config = cache.configs[run.id] = run.config()
        out.append(RowData(run_row(run, config), _best_label(run, config, cache), run))
    return out


def collect_monitor(run: Run, last_log_sig: tuple[int, float] | None) -> MonitorData:
    status = run.status()
    samples = run.samples()
    texts = [p for p in samples if p.suffix == SAMPLE_TEXT_SUFFIX]
    latest = (texts[-1].stem, texts[-1].read_text(encoding="utf-8", errors="replace")) if texts else None
    try:
        stat = run.log_path.stat()
        sig = (stat.st_size, stat.st_mtime)
    except OSError:
        sig = (0, 0.0)
    lines = run.log_tail(200) if sig != last_log_sig else None
    return MonitorData(run.id, status, [p for p in samples if p.suffix == SAMPLE_IMAGE_SUFFIX], latest, sig, lines)


class OpenCheckpoints(Message):
    def __init__(self, run_id: str) -> None:
        super().__init__()
        self.run_id = run_id


class RunsPane(Vertical):
    BINDINGS = [
        Binding("x", "stop_run", "Stop", id="runs.stop"),
        Binding("S", "save_run", "Save now", id="runs.save"),
        Binding("p", "sample_run", "Sample now", id="runs.sample"),
        Binding("r", "resume_run", "Resume", id="runs.resume"),
        Binding("k", "open_checkpoints", "Checkpoints", id="runs.checkpoints"),
        Binding("e", "cycle_smoothing", "Smoothing", id="runs.smoothing"),
        Binding("l", "toggle_log", "Log y", id="runs.log_y"),
        Binding("w", "cycle_window", "Window", id="runs.window"),
        Binding("c", "toggle_compare", "Compare", id="runs.compare"),
        Binding("left_square_bracket", "scrub(-1)", "Older grid", id="runs.older", show=False),
        Binding("right_square_bracket", "scrub(1)", "Newer grid", id="runs.newer", show=False),
        Binding("slash", "focus_filter", "Filter", id="runs.filter", show=False),
    ]
    DEFAULT_CSS = """
    RunsPane #runs-table { height: auto; max-height: 25%; }
    RunsPane #runs-filter { height: 3; }
    RunsPane #run-header { height: auto; max-height: 3; padding: 0 1; background: $panel; }
    RunsPane #monitor { height: 1fr; min-height: 8; }
    RunsPane #sample-side { width: 40%; max-width: 60; }
    RunsPane #sample-label { height: 1; color: $text-muted; }
    RunsPane #sample-image { height: 1fr; width: auto; }
    RunsPane #sample-text { height: 1fr; overflow-y: auto; }
    RunsPane #run-log { height: 20%; min-height: 3; }
    """

    def __init__(self, runs_dir: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runs_dir = runs_dir
        self.rows: dict[str, RowData] = {}
        self.selected: str | None = None
        self.compare: set[str] = set()
        self.options = PlotOptions()
        self.sample_index = -1
        self._plot_dirty = False
        self._log_sig: tuple[int, float] | None = None
        self._cache = RowCache()
        self.monitor: MonitorData | None = None
        self._gpu_line = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter runs (name, kind, state)  /", id="runs-filter")
        table = DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("No run selected.", id="run-header")
        with Horizontal(id="monitor"):
            yield LossPlot(id="loss-plot")
            with Vertical(id="sample-side"):
                yield Static("", id="sample-label")
                yield SampleImage(id="sample-image")
                yield Static("", id="sample-text")
        yield Log(id="run-log", max_lines=500)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for col in ("name", "kind", "state", "step", "eta", "speed", "best", "device", "age"):
            table.add_column(col, key=col)
        self.options.smoothing = self.app.settings.smoothing
        self.refresh_rows()
        self.set_interval(1.0, self.refresh_rows)
        self.set_interval(0.25, self._redraw_if_dirty)
        self.set_interval(5.0, self.refresh_gpu)

    # --- table ----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="runs-table", exit_on_error=False)
    def refresh_rows(self) -> None:
        rows = collect_rows(self.runs_dir, self._cache)
        selected = next((d.run for d in rows if d.row.id == self.selected), None)
        monitor = collect_monitor(selected, self._log_sig) if selected is not None else None
        self.app.call_from_thread(self._apply_rows, rows, monitor)

    def _matches(self, data: RowData) -> bool:
        text = self.query_one("#runs-filter", Input).value.strip().lower()
        hay = f"{data.row.name} {data.row.kind} {data.row.state} {data.row.id}".lower()
        return all(word in hay for word in text.split())

    def _cells(self, data: RowData) -> list[str]:
        r, now = data.row, self.app.clock()
        speed = f"{r.throughput:,.0f} {r.throughput_unit}" if r.throughput else "-"
        mark = "◆ " if r.id in self.compare else ""
        return [f"{mark}{r.name}", r.kind, f"[{STATE_STYLE.get(r.state, '')}]{r.state}[/]", r.progress,
                format_duration(r.eta_seconds), speed, data.best, (r.device or "-").split(" (")[0],
                format_duration(now - r.started_at) if r.started_at else "-"]

    def _apply_rows(self, rows: list[RowData], monitor: MonitorData | None = None) -> None:
        table = self.query_one(DataTable)
        self.rows = {d.row.id: d for d in rows}
        visible = [d for d in reversed(rows) if self._matches(d)]  # newest first
        keys = [d.row.id for d in visible]
        if keys != [str(k.value) for k in table.rows]:
            current = self.selected
            table.clear()
            for d in visible:
                table.add_row(*self._cells(d), key=d.row.id)
            if current in keys:
                table.move_cursor(row=keys.index(current))
        else:
            for d in visible:
                for col, value in zip(("name", "kind", "state", "step", "eta", "speed", "best", "device", "age"),
                                      self._cells(d), strict=True):
                    table.update_cell(d.row.id, col, value, update_width=True)
        if not rows:
            self.query_one("#run-header", Static).update(
                f"No runs yet under {self.runs_dir}.\nPress [b]1[/b] to launch one (the default trains a GAN on"
                " built-in digits), or run `aigc-tui train sample_configs/gan_mlp_digits.toml --detach`."
            )
        if self.selected is None and keys:
            self.select(keys[0])
        elif self.selected in self.rows:
            if monitor is not None and monitor.run_id == self.selected:
                self.monitor = monitor
                self._update_samples()
                self._update_log(monitor)
            self._update_header()

    @on(Input.Submitted, "#runs-filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.app.focused is self.query_one("#runs-filter"):
            event.stop()
            self.query_one(DataTable).focus()

    @on(Input.Changed, "#runs-filter")
    def _filter_changed(self) -> None:
        self.refresh_rows()

    @on(DataTable.RowHighlighted, "#runs-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value != self.selected:
            self.select(str(event.row_key.value))

    def select(self, run_id: str) -> None:
        """Show a run in the monitor (and start tailing its metrics)."""
        data = self.rows.get(run_id)
        if data is None:
            return
        self.selected = run_id
        self.sample_index = -1
        self._log_sig = None
        table = self.query_one(DataTable)
        keys = [str(k.value) for k in table.rows]
        if run_id in keys and table.cursor_row != keys.index(run_id):
            table.move_cursor(row=keys.index(run_id))
        self.app.tail.watch(run_id, data.run.path, plotted(data.row.kind))
        for other in self.compare:
            if other in self.rows:
                self.app.tail.watch(other, self.rows[other].run.path, plotted(self.rows[other].row.kind))
        self.monitor = None
        self._update_header()
        self.refresh_rows()  # samples, status and log come back from the worker
        self._plot_dirty = True
        self._redraw_if_dirty()

    @property
    def current(self) -> RowData | None:
        return self.rows.get(self.selected or "")

    # --- monitor --------------------------------------------------------------------------
    def _update_header(self) -> None:
        data = self.current
        if data is None:
            return
        r = data.row
        parts = [f"[b]{r.name}[/b]  {r.kind}  [{STATE_STYLE.get(r.state, '')}]{r.state}[/]  step {r.progress}"]
        if r.throughput:
            parts.append(f"{r.throughput:,.0f} {r.throughput_unit}")
        if r.eta_seconds is not None:
            parts.append(f"eta {format_duration(r.eta_seconds)}")
        parts.append(r.device or "")
        if self._gpu_line and r.device.startswith("cuda"):
            parts.append(self._gpu_line)
        text = "  ".join(p for p in parts if p)
        if r.command:
            text += f"\n[dim]$ {escape(r.command)}[/]"
        if r.error:
            text += f"\n[red]error: {r.error}[/]"
        self.query_one("#run-header", Static).update(text)

    def _update_samples(self) -> None:
        """Show the latest grid (or the scrubbed one), the sampled text, or why the run ended."""
        monitor = self.monitor
        if monitor is None:
            return
        image = self.query_one("#sample-image", SampleImage)
        label = self.query_one("#sample-label", Static)
        text = self.query_one("#sample-text", Static)
        status = monitor.status
        if status.state in (RunState.FAILED, RunState.LOST) and (status.traceback or status.error):
            image.display, text.display = False, True
            label.update("[red]why it ended[/]")
            text.update(status.traceback or status.error or "")
            return
        pngs = monitor.pngs
        if pngs:
            index = self.sample_index if -len(pngs) <= self.sample_index < len(pngs) else -1
            chosen = pngs[index]
            image.display, text.display = True, False
            if str(image.image) != str(chosen):
                image.image = chosen
            pos = len(pngs) + index + 1 if index < 0 else index + 1
            label.update(f"{chosen.stem}  ({pos}/{len(pngs)})  [ ] scrub")
        elif monitor.latest_text is not None:
            image.display, text.display = False, True
            label.update(f"sample at {monitor.latest_text[0]}")
            text.update(monitor.latest_text[1])
        else:
            image.display, text.display = False, True
            label.update("")
            text.update("no samples yet")

    def _update_log(self, monitor: MonitorData) -> None:
        if monitor.log_lines is None or monitor.log_sig == self._log_sig:
            return
        self._log_sig = monitor.log_sig
        log = self.query_one("#run-log", Log)
        log.clear()
        log.write_lines(monitor.log_lines)
        self.call_after_refresh(log.scroll_end, animate=False)

    def on_metrics_appended(self, message: MetricsAppended) -> None:
        if message.run_id == self.selected or message.run_id in self.compare:
            self._plot_dirty = True
            if not self.query_one(LossPlot).series:  # a run's first points: draw now, not at the next tick
                self._redraw_if_dirty()

    def _redraw_if_dirty(self) -> None:
        if not self._plot_dirty:
            return
        self._plot_dirty = False
        data = self.current
        if data is None:
            return
        series: list[PlotSeries] = []
        reader = self.app.tail.reader(data.row.id)
        names = plotted_series(data.row.kind, reader.keys if reader is not None else ())
        if reader is not None:
            for name in names:
                if name in reader.series:
                    s = reader.series[name]
                    series.append(PlotSeries(name, s.steps, s.values))
        for other in sorted(self.compare - {data.row.id}):
            other_reader = self.app.tail.reader(other)
            other_row = self.rows.get(other)
            if other_reader is None or other_row is None:
                continue
            key = (plotted_series(other_row.row.kind, other_reader.keys) or ("loss",))[-1]
            if key in other_reader.series:
                s = other_reader.series[key]
                series.append(PlotSeries(f"{other_row.row.name}:{key}", s.steps, s.values))
        self.options.markers = [c.step for c in data.run.checkpoints()] if self.app.show_markers else []
        self.query_one(LossPlot).show(series, self.options, title=data.row.name)

    @work(thread=True, exclusive=True, group="gpu", exit_on_error=False)
    def refresh_gpu(self) -> None:
        data = self.current
        if data is None or not data.row.device.startswith("cuda"):
            return
        index = int(data.row.device.split(":")[1].split()[0]) if ":" in data.row.device else 0
        gpus = {g.index: g for g in list_gpus()}
        gpu = gpus.get(index)
        self._gpu_line = f"gpu {gpu.util_percent}%  {gpu.mem_used_gb:.1f}/{gpu.mem_total_gb:.0f} GB" if gpu else ""

    # --- actions --------------------------------------------------------------------------
    def _control(self, action: ControlAction) -> None:
        data = self.current
        if data is None:
            self.notify("no run selected", severity="warning")
            return
        if not data.run.status().state.is_live:
            self.notify(f"{data.row.name} is not running ({data.row.state})", severity="warning")
            return
        request_control(data.run.path, action)
        self.notify(f"{action.value} requested for {data.row.name}")

    def action_stop_run(self) -> None:
        self._control(ControlAction.STOP)

    def action_save_run(self) -> None:
        self._control(ControlAction.SAVE)

    def action_sample_run(self) -> None:
        self._control(ControlAction.SAMPLE)

    def action_resume_run(self, checkpoint: CheckpointInfo | None = None) -> None:
        data = self.current
        if data is None:
            return
        resume_run(self, data.run, checkpoint)

    def action_open_checkpoints(self) -> None:
        if self.selected:
            self.post_message(OpenCheckpoints(self.selected))

    def action_cycle_smoothing(self) -> None:
        steps = SMOOTHING_STEPS
        current = min(range(len(steps)), key=lambda i: abs(steps[i] - self.options.smoothing))
        self.options.smoothing = steps[(current + 1) % len(steps)]
        self.app.settings.smoothing = self.options.smoothing
        self.app.settings.save()
        self._plot_dirty = True

    def action_toggle_log(self) -> None:
        self.options.log_y = not self.options.log_y
        self._plot_dirty = True

    def action_cycle_window(self) -> None:
        self.options.last_n_steps = WINDOWS[(WINDOWS.index(self.options.last_n_steps) + 1) % len(WINDOWS)]
        self._plot_dirty = True

    def action_toggle_compare(self) -> None:
        table = self.query_one(DataTable)
        keys = [str(k.value) for k in table.rows]
        if not keys:
            return
        run_id = keys[table.cursor_row]
        self.compare.symmetric_difference_update({run_id})
        if run_id in self.compare and run_id in self.rows:
            self.app.tail.watch(run_id, self.rows[run_id].run.path, plotted(self.rows[run_id].row.kind))
        self._plot_dirty = True
        self.refresh_rows()

    def action_scrub(self, delta: int) -> None:
        if self.monitor is None:
            return
        count = len(self.monitor.pngs)
        if not count:
            return
        pos = (count + self.sample_index if self.sample_index < 0 else self.sample_index) + delta
        pos = max(0, min(count - 1, pos))
        self.sample_index = pos - count  # negative: the newest stays "latest" as grids arrive
        self._update_samples()

    def action_focus_filter(self) -> None:
        self.query_one("#runs-filter", Input).focus()


def resume_run(widget: Any, run: Run, checkpoint: CheckpointInfo | None = None) -> bool:
    """Resume a run detached (from `checkpoint` or its newest); notify why not if it can't."""
    try:
        resume_worker(run, checkpoint)  # the one resume rule, shared with `aigc-tui resume`
    except AigcError as exc:
        widget.notify(str(exc), severity="warning")
        return False
    widget.notify(f"resuming {run.name}" + (f" from {checkpoint.name}" if checkpoint else ""))
    return True
