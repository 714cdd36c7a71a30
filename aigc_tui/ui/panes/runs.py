"""Runs: the runs table with its filter, and the selected run's monitor below it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input

from aigc_tui.runs import LIVE_STATES, CheckpointInfo, ControlAction, request_control
from aigc_tui.runs.summary import format_duration
from aigc_tui.styles import styled_state
from aigc_tui.ui.focus_now import focus_now
from aigc_tui.ui.markup import literal
from aigc_tui.ui.messages import MetricsAppended, OpenCheckpoints
from aigc_tui.ui.notes_screen import tags_text
from aigc_tui.ui.panes.runs_poll import PolledPane
from aigc_tui.ui.run_ops import resume_run, stop_in_background
from aigc_tui.ui.rundata import (
    RowCache,
    RowData,
    collect_monitor,
    collect_rows,
    id_tails,
    plotted,
    sweep_order,
)
from aigc_tui.ui.runs_columns import Layout, layout_for, table_width
from aigc_tui.ui.widgets.loss_plot import PlotOptions
from aigc_tui.ui.widgets.monitor import RunMonitor
from aigc_tui.ui.widgets.runs_table import RunsTable
from aigc_tui.ui.widgets.text_fields import FieldInput

COLUMNS = ("name", "kind", "state", "step", "eta", "speed", "best", "device", "time")


class RunsPane(PolledPane):
    BINDINGS = [
        Binding("x", "stop_run", "Stop", id="runs.stop"),
        Binding("S", "save_run", "Save", id="runs.save", show=False),  # footer room for z at 80 columns; ? lists it
        Binding("p", "sample_run", "Sample", id="runs.sample"),
        Binding("r", "resume_run", "Resume", id="runs.resume"),
        Binding("k", "open_checkpoints", "Ckpts", id="runs.checkpoints"),
        Binding("e", "cycle_smoothing", "Smoothing", id="runs.smoothing"),
        Binding("l", "toggle_log", "Log y", id="runs.log_y"),
        Binding("w", "cycle_window", "Window", id="runs.window"),
        Binding("c", "toggle_compare", "Compare", id="runs.compare"),
        Binding("left_square_bracket", "scrub(-1)", "Older grid", id="runs.older", show=False),
        Binding("right_square_bracket", "scrub(1)", "Newer grid", id="runs.newer", show=False),
        Binding("v", "view_image", "View grid", id="runs.view_image", show=False),
        Binding("slash", "focus_filter", "Filter", id="runs.filter", show=False),
    ]
    DEFAULT_CSS = """
    RunsPane #runs-table { height: auto; max-height: 25%; }
    RunsPane #runs-filter { height: 1; background: $boost; }
    """

    def __init__(self, runs_dir: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runs_dir = runs_dir
        self.rows: dict[str, RowData] = {}
        self.selected: str | None = None
        self.compare: set[str] = set()
        self._wanted: str | None = None  # a run to select as soon as it shows up (just launched)
        self._filtered_out: str | None = None  # the run shown before a filter hid every row
        self._cache = RowCache()
        self._sweep_rank: dict[str, int] = {}  # a sweep run's rank in its group by best metric
        self._tails: dict[str, str] = {}  # ` ~dddd`, the id's tail, after a name (and values) other runs share
        self._shown: dict[str, list[str]] = {}  # the cells on screen, per run
        self._layout: Layout | None = None  # the columns that fit the table's width
        self._applied_filter = ""  # the filter the table was last built with

    def compose(self) -> ComposeResult:
        yield FieldInput(placeholder="/ filter runs (name, kind, state, #tag)", id="runs-filter", compact=True)
        yield RunsTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield RunMonitor(id="run-monitor")

    @property
    def monitor(self) -> RunMonitor:
        return self.query_one(RunMonitor)

    @property
    def options(self) -> PlotOptions:
        return self.monitor.options

    def on_mount(self) -> None:
        self.start_polling()
        self.refresh_rows()

    # --- table ----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="runs-table", exit_on_error=False)
    def refresh_rows(self) -> None:
        self.note_read()  # before the reads: a change during them shows next time
        rows = collect_rows(self.runs_dir, self._cache, self.show_archived)
        selected = next((d.run for d in rows if d.row.id == self.selected), None)
        monitor = collect_monitor(selected, self.monitor.log_sig) if selected is not None else None
        self.app.call_from_thread(self._apply_rows, rows, monitor)

    def on_resize(self) -> None:
        self.refresh_rows()  # the columns that fit may change

    def _filter_text(self) -> str:
        return self.query_one("#runs-filter", Input).value.strip().lower()

    def _matches(self, data: RowData) -> bool:
        text = self._filter_text()
        hay = (f"{data.row.name} {data.row.kind} {data.row.state} {data.row.id} {data.row.sweep} {data.sweep_label} "
               f"{tags_text(data.row.tags)}").lower()  # what the name column shows, sweep values too
        return all(word in hay for word in text.split())

    def _cells(self, data: RowData) -> list[str]:
        r, now = data.row, self.app.clock()
        mark = "◆ " if r.id in self.compare else ""
        name = literal(r.name) + self._tails.get(r.id, "")  # the tail is kept whole when the name is cut (runs_columns)
        name = f"{name} [{self._sweep_rank.get(r.id, '-')}] {literal(data.sweep_label)}" if r.sweep else name
        state = "[dim]archived[/]" if r.archived else styled_state(r.state, r.state_text)
        return [f"{mark}{name} {tags_text(r.tags)}".rstrip(), r.kind, state, r.progress,
                format_duration(r.eta_seconds), r.speed_text, data.best, (r.device or "-").split(" (")[0],
                format_duration(r.elapsed(now))]

    def _apply_rows(self, rows: list[RowData], monitor: Any = None) -> None:
        table = self.query_one(DataTable)
        self._applied_filter = self._filter_text()
        self.rows = {d.row.id: d for d in rows}
        self.set_live(any(d.row.state in LIVE_STATES for d in rows))
        self.app.tail.set_idle(d.row.id for d in rows if d.row.state not in LIVE_STATES)
        ordered = sweep_order(rows)  # newest first; a sweep's runs together, best first
        counts: dict[str, int] = {}
        self._sweep_rank = {}
        self._tails = self.monitor.tails = id_tails({d.row.id: f"{d.row.name} {d.sweep_label}" for d in rows})  # as the tree
        for d in ordered:
            if d.row.sweep and d.best_value is not None:  # [rank], never #1 like a tag; [-] until ranked (H17)
                counts[d.row.sweep] = self._sweep_rank[d.row.id] = counts.get(d.row.sweep, 0) + 1
        visible = [d for d in ordered if self._matches(d)]
        keys = [d.row.id for d in visible]
        full = {d.row.id: self._cells(d) for d in visible}
        size = self.size if self.size.width else self.app.size
        layout = layout_for(table_width(size, len(full), table.styles.scrollbar_size_vertical), COLUMNS, list(full.values()))
        if layout != self._layout:  # a resize, or a row that no longer fits: new columns
            table.clear(columns=True)
            for col in layout.columns:
                table.add_column(col, key=col)
            self._layout = layout
        shown = {run_id: layout.cells(COLUMNS, cells) for run_id, cells in full.items()}
        old_keys = [str(k.value) for k in table.rows]
        if keys != old_keys:
            table.clear()
            for column in table.columns.values():  # widths grow with cells, never shrink: start over
                column.content_width = column.label.cell_len
            for d in visible:
                table.add_row(*shown[d.row.id], key=d.row.id)
            if self.selected in keys:
                table.move_cursor(row=keys.index(self.selected))
        else:
            for d in visible:  # only cells that changed: each update re-measures the table
                old = self._shown.get(d.row.id, [None] * len(layout.columns))
                for col, value, before in zip(layout.columns, shown[d.row.id], old, strict=True):
                    if value != before:
                        table.update_cell(d.row.id, col, value, update_width=True)
        self._shown = shown
        if self._wanted in self.rows:
            wanted, self._wanted = self._wanted, None
            self.select(wanted)
        elif not rows or self.selected not in (None, *self.rows):  # none left, or deleted/archived elsewhere
            self._selection_gone(old_keys, keys)
        elif not keys:  # the filter hides every run: none is selected, so no key acts on a hidden one
            if self.selected is not None:
                self._filtered_out, self.selected = self.selected, None
                self.monitor.clear("No run selected: no run matches the filter.")
        elif self.selected not in (None, *keys):  # the filter hides it, shows others: no key acts on it
            self.select(keys[0])
        elif self.selected is None:  # rows again: the run the filter hid, else the first
            back = self._filtered_out if self._filtered_out in keys else keys[0]
            self._filtered_out = None
            self.select(back)
        elif self.selected in self.rows:
            self.monitor.update(self.rows[self.selected], monitor)

    def show_run(self, run_id: str) -> None:
        """Select a run now, or as soon as its directory shows up (a launch in flight)."""
        if run_id in self.rows:
            self.select(run_id)
        else:
            self._wanted = run_id
            self.refresh_rows()

    @on(Input.Submitted, "#runs-filter")
    def _filter_done(self) -> None:
        focus_now(self.query_one(DataTable))

    @on(Input.Changed, "#runs-filter")
    def _filter_changed(self) -> None:
        self.refresh_rows()

    def catch_up(self) -> None:
        """Before a key's action: the table as typed so far. A filter typed and a cursor moved in the same burst
        as the key had their messages still queued, so `Home d y` or `/lm⏎ d y` deleted the run the cursor
        left, or one the filter hides (tester10 T1, T8)."""
        if self._filter_text() != self._applied_filter:
            self._apply_rows(list(self.rows.values()))
        self._follow_cursor()

    def _follow_cursor(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is not None and key != self.selected:
            self.select(str(key))

    @on(DataTable.RowHighlighted, "#runs-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Follow the table's cursor as it is now, not the event's row: highlight events queue up, and
        acting on a stale one (after a programmatic move or a rebuild) selected an old row, which moved
        the cursor, which queued another (two runs selected each other at ~100 % CPU, arrows snapped back)."""
        self._follow_cursor()

    def select(self, run_id: str) -> None:
        """Show a run in the monitor (and start tailing its metrics)."""
        data = self.rows.get(run_id)
        if data is None:
            return
        self.selected = run_id
        table = self.query_one(DataTable)
        keys = [str(k.value) for k in table.rows]
        if run_id in keys and table.cursor_row != keys.index(run_id):
            table.move_cursor(row=keys.index(run_id))
        self.app.tail.watch(run_id, data.run.path, plotted(data.row.kind))
        for other in self.compare:
            if other in self.rows:
                self.app.tail.watch(other, self.rows[other].run.path, plotted(self.rows[other].row.kind))
        self.monitor.compare = {r: self.rows[r] for r in self.compare if r in self.rows}  # a cleared monitor had none
        self.monitor.show_run(data)
        self.refresh_rows()  # samples, status and log come back from the worker

    @property
    def current(self) -> RowData | None:
        return self.rows.get(self.selected or "")

    def on_metrics_appended(self, message: MetricsAppended) -> None:
        self.monitor.mark_dirty(message.run_id)

    # --- actions --------------------------------------------------------------------------
    def _control(self, action: ControlAction) -> None:
        data = self.current
        if data is None:
            self.notify("no run selected", severity="warning")
            return
        if not data.run.status().state.is_live:
            self.notify(f"{data.row.name} is not running ({data.row.state})", severity="warning")
            return
        if action is ControlAction.STOP:  # the one path `aigc-tui stop` takes (a run with no worker yet too)
            stop_in_background(self, data.run, data.row.name, self.refresh_rows)
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
        data = self._target()
        if data is not None:
            resume_run(self, data.run, checkpoint)

    def action_open_checkpoints(self) -> None:
        if (data := self._target()) is not None:
            self.post_message(OpenCheckpoints(data.row.id))

    def action_focus_filter(self) -> None:
        focus_now(self.query_one("#runs-filter", Input))
