"""The Runs pane's plot keys: smoothing, log y, window and grids; metrics, x by step or wall time, a cursor, marks.

The pane's base class, so the keys are the pane's own (they work while the runs table has
focus and never while the filter box has it) without growing the pane's module. (A mixin
beside Vertical would lose Vertical's CSS: Textual follows only the first widget base.)
"""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable

from aigc_tui.ui.metric_picker import MetricPicker
from aigc_tui.ui.rundata import RowData, plotted
from aigc_tui.ui.widgets.plot_panel import PlotPanel


class PlotKeys(Vertical):
    """Needs the pane's `rows`, `compare`, `current`, `monitor` and `refresh_rows`."""

    rows: dict[str, RowData]
    compare: set[str]
    BINDINGS = [
        Binding("m", "pick_metrics", "Metrics", id="runs.metrics"),
        Binding("z", "toggle_table", "Zoom", id="runs.table"),
        Binding("T", "toggle_time", "x step/time", id="runs.x_time", show=False),
        Binding("comma", "cursor(-1)", "Cursor left", id="runs.cursor_left", show=False),
        Binding("full_stop", "cursor(1)", "Cursor right", id="runs.cursor_right", show=False),
        Binding("less_than_sign", "cursor(-10)", "Cursor far left", id="runs.cursor_far_left", show=False),
        Binding("greater_than_sign", "cursor(10)", "Cursor far right", id="runs.cursor_far_right", show=False),
        Binding("space", "toggle_compare", "Mark", id="runs.mark", show=False),
        Binding("C", "clear_marks", "Clear marks", id="runs.clear_marks", show=False),
        Binding("g", "overlay_sweep", "Sweep", id="runs.sweep", show=False),
        Binding("M", "next_compared", "Next compared metric", id="runs.next_compared", show=False),
    ]

    DEFAULT_CSS = """
    PlotKeys.-table-only #run-monitor { display: none; }
    PlotKeys.-table-only #runs-table { height: 1fr; max-height: 100%; }
    """

    def action_cycle_smoothing(self) -> None:
        self.app.settings.smoothing = self.monitor.cycle_smoothing()
        self.app.settings.save()

    def action_toggle_log(self) -> None:
        self.monitor.toggle_log()

    def action_cycle_window(self) -> None:
        self.monitor.cycle_window()

    def action_toggle_markers(self) -> None:
        self.monitor.toggle_markers()

    def action_scrub(self, delta: int) -> None:
        self.monitor.scrub(delta)

    def action_view_image(self) -> None:
        self.monitor.open_view()

    def action_toggle_table(self) -> None:
        """The runs table takes the whole pane (at 80x24 it shows 4 rows beside the monitor), or gives
        the monitor back (tester6 G30)."""
        self.toggle_class("-table-only")  # the RunsTable scrolls its cursor into view as it resizes

    @on(DataTable.RowSelected, "#runs-table")
    def _run_chosen(self) -> None:
        """enter (or a click) on a run in the whole-pane table shows its monitor again."""
        if self.has_class("-table-only"):
            self.action_toggle_table()

    @property
    def plot_panel(self) -> PlotPanel:
        return self.query_one(PlotPanel)

    def action_pick_metrics(self) -> None:
        data = self.current
        if data is None:
            return
        panel = self.plot_panel
        names = panel.available(data.row.id)
        if not names:
            self.notify(f"{data.row.name} has logged no metrics yet", severity="warning")
            return
        kind = data.row.kind
        picked = panel.metrics_for(kind, tuple(names))

        def apply(chosen: list[str]) -> None:
            settings = self.app.settings
            if chosen:
                settings.plot_metrics[kind] = chosen
            else:
                settings.plot_metrics.pop(kind, None)  # none ticked: back to the recipe's losses
            settings.save()
            self.monitor.redraw()

        self.app.push_screen(MetricPicker(kind, names, picked, apply))

    def action_next_compared(self) -> None:
        """Overlaid runs are compared one metric at a time: the next of the picked ones."""
        panel = self.plot_panel
        if not panel.compared_metric:
            self.notify("M compares marked runs (space, g) on the next picked metric; none overlaid", timeout=3)
            return
        panel.compared += 1
        self.monitor.redraw()

    def action_toggle_time(self) -> None:
        options = self.monitor.options
        options.x_time = not options.x_time
        self.monitor.redraw()

    def action_cursor(self, columns: int) -> None:
        self.plot_panel.move_cursor(columns)

    def action_toggle_compare(self) -> None:
        """Mark (or unmark) the highlighted run: marked runs are overlaid on the selected one's plot."""
        table = self.query_one(DataTable)
        keys = [str(k.value) for k in table.rows]
        if not keys:
            return
        run_id = keys[table.cursor_row]
        compare = self.compare
        compare.symmetric_difference_update({run_id})
        rows = self.rows
        if run_id in compare and run_id in rows:
            self.app.tail.watch(run_id, rows[run_id].run.path, plotted(rows[run_id].row.kind))
        self._marks_changed()
        name = rows[run_id].row.name if run_id in rows else run_id
        verb = "marked" if run_id in compare else "unmarked"
        self.notify(f"{name} {verb} · {len(compare)} marked · C clears", timeout=3)

    def action_overlay_sweep(self) -> None:
        """Overlay every run of the selected run's sweep on its plot (again: back to none)."""
        data = self.current
        if data is None or not data.row.sweep:
            self.notify("the selected run is not part of a sweep", severity="warning")
            return
        members = {r for r, d in self.rows.items() if d.row.sweep == data.row.sweep and r != data.row.id}
        self.compare = set() if members <= self.compare else members
        for run_id in self.compare:
            self.app.tail.watch(run_id, self.rows[run_id].run.path, plotted(self.rows[run_id].row.kind))
        self.monitor.compare = {r: self.rows[r] for r in self.compare}
        self.monitor.mark_dirty()
        self.refresh_rows()
        if self.compare:
            self.notify(f"sweep {data.row.sweep}: {len(self.compare) + 1} runs overlaid, ranked by best metric")

    def action_clear_marks(self) -> None:
        self.compare.clear()
        self._marks_changed()

    def _marks_changed(self) -> None:
        rows = self.rows
        self.monitor.compare = {r: rows[r] for r in self.compare if r in rows}
        self.monitor.mark_dirty()
        self.refresh_rows()
