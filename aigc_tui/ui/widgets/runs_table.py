"""The Runs pane's table: a DataTable that stays light all day and keeps its cursor in sight."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import DataTable

from aigc_tui.ui.table_cache import bound_render_caches


class RunsTable(DataTable):
    """Bounded render caches (its cells change every second: flat memory over a day), and the
    selected row scrolled into view whenever the table's share of the pane changes (`z` zoom
    and back: the chosen row below the first four was left out of sight, tester7 H6).
    Home and End go to the first and last run (DataTable scrolls sideways with them, tester9 F15)."""

    BINDINGS = [Binding("home", "scroll_top", "First", show=False), Binding("end", "scroll_bottom", "Last", show=False)]

    def on_mount(self) -> None:
        bound_render_caches(self)

    def _on_resize(self, _: events.Resize) -> None:  # DataTable's own runs as well (Textual walks the MRO)
        if self.row_count:
            self._scroll_cursor_into_view()
