"""The Runs pane's housekeeping keys: delete, archive, show archived, tags and note, config diff.

RunsPane's base class (on PlotKeys: Textual follows only the first widget base for CSS);
RunsPane holds the table, `rows`, `selected` and `compare` (the runs marked with space/c). The
work itself is runs/housekeeping.py, runs/notes.py and runs/config_diff.py, as for the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import work
from textual.binding import Binding
from textual.widgets import DataTable

from aigc_tui.errors import AigcError, os_reason
from aigc_tui.runs.config_diff import diff_runs
from aigc_tui.runs.housekeeping import archive_run, delete_run, live_reason, unarchive_run
from aigc_tui.runs.notes import write_notes
from aigc_tui.runs.store import Run
from aigc_tui.ui.confirm import ConfirmScreen
from aigc_tui.ui.diff_screen import DiffScreen, PickRunScreen
from aigc_tui.ui.notes_screen import NotesScreen
from aigc_tui.ui.panes.runs_plot import PlotKeys

if TYPE_CHECKING:
    from aigc_tui.ui.rundata import RowData


class HousekeepingPane(PlotKeys):
    BINDINGS = [
        Binding("d,delete", "delete_run", "Delete", id="runs.delete", show=False),
        Binding("a", "archive_run", "Archive", id="runs.archive", show=False),
        Binding("A", "toggle_archived", "Show archived", id="runs.show_archived", show=False),
        Binding("n", "edit_notes", "Tags/note", id="runs.notes", show=False),
        Binding("D", "diff_runs", "Config diff", id="runs.diff", show=False),
    ]
    show_archived = False
    # provided by RunsPane
    rows: dict[str, RowData]
    selected: str | None
    compare: set[str]
    current: Any
    monitor: Any
    runs_dir: Any
    select: Any

    def _target(self) -> RowData | None:
        data = self.current
        if data is None:
            self.notify("no run selected", severity="warning")
        return data

    def _idle(self, data: RowData) -> bool:
        """Whether the run may be touched; else say why (its name and state) and refuse."""
        reason = live_reason(data.run)
        if reason:
            self.notify(reason, severity="warning")
        return reason is None

    def _forget(self, run_id: str, keep_place: bool = False, done: str = "") -> None:
        """A run moved or went away: drop it from the selection, the marks and the tail.
        `keep_place` (deleted or archived here): the cursor goes to the next row, not the top, so
        several failed runs in a row go without finding the place again each time; when it was the
        only row shown (a filter hides the rest), the monitor says `done` and that none is left."""
        if keep_place and self.selected == run_id:
            keys = [str(k.value) for k in self.query_one(DataTable).rows]
            at = keys.index(run_id) if run_id in keys else -1
            self._wanted = next(iter(keys[at + 1:] or keys[:at][-1:]), None) if at >= 0 else None
            if self._wanted is None:  # no row takes its place: it must not stay on show (tester8 I9)
                self.monitor.clear(f"{escape(done or run_id)}; no run matches the filter.")
        self.compare.discard(run_id)
        self.app.tail.forget(run_id)
        if self.selected == run_id:
            self.selected = None
        self._marks_changed()  # the plot's overlays, and the table

    def _selection_gone(self, old_keys: list[str], keys: list[str]) -> None:
        """The shown run went away (`aigc-tui rm`/`archive` elsewhere) or none is left: show the
        row that took its place in the table, else say that nothing is shown."""
        gone, name = self.selected, self.monitor.data.row.name if self.monitor.data else ""
        if gone is not None:
            self._forget(gone)
        if keys:
            index = old_keys.index(gone) if gone in old_keys else 0
            self.select(keys[min(index, len(keys) - 1)])
        elif self.rows:
            self.monitor.clear(f"{name or gone} is gone (deleted or archived elsewhere); no run matches the filter.")
        else:
            self.monitor.clear(
                f"No runs yet under {self.runs_dir}.\nPress [b]1[/b] to launch one (the default trains a GAN on"
                " built-in digits), or run `aigc-tui train sample_configs/gan_mlp_digits.toml --detach`."
            )

    # --- delete -----------------------------------------------------------------------------
    def action_delete_run(self) -> None:
        data = self._target()
        if data is None or not self._idle(data):
            return
        r = data.row
        count = len(data.run.checkpoints())
        question = (f"Delete run [b]{escape(r.name)}[/b] for good?\n{r.id}\n{r.state}, step {r.progress},"
                    f" {count} checkpoint(s), its samples and log")

        def done(yes: bool | None) -> None:
            if yes:
                self._delete(data.run, r.name)

        self.app.push_screen(ConfirmScreen(question), done)

    @work(thread=True, group="housekeeping", exit_on_error=False)
    def _delete(self, run: Run, name: str) -> None:
        try:  # off the UI thread: a run with big checkpoints takes a while to remove
            delete_run(run)
        except (AigcError, OSError) as exc:
            self.app.call_from_thread(self.notify, f"{name}: {exc if isinstance(exc, AigcError) else os_reason(exc)}", severity="warning")
            return
        self.app.call_from_thread(self.notify, f"deleted {name}")
        self.app.call_from_thread(self._forget, run.id, True, f"deleted {name}")

    # --- archive ----------------------------------------------------------------------------
    def action_archive_run(self) -> None:
        """Archive the selected run (asks first); an archived one (shown with `A`) comes back."""
        data = self._target()
        if data is None or not self._idle(data):
            return
        run, r = data.run, data.row
        if r.archived:
            self._move(lambda: unarchive_run(run), r.id, f"unarchived {r.name}")
            return
        question = (f"Archive run [b]{escape(r.name)}[/b]?\nIt moves to .archive/{r.id} under the runs folder, hidden"
                    " here (A shows archived runs; a there brings it back).")

        def done(yes: bool | None) -> None:
            if yes:
                self._move(lambda: archive_run(run), r.id, f"archived {r.name}")

        self.app.push_screen(ConfirmScreen(question, yes="Archive (y)"), done)

    def _move(self, move: Any, run_id: str, done: str) -> None:
        try:
            move()
        except AigcError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.notify(done)
        self._forget(run_id, keep_place=True, done=done)

    def action_toggle_archived(self) -> None:
        self.show_archived = not self.show_archived
        self.notify("archived runs shown (a restores one)" if self.show_archived else "archived runs hidden")
        self.refresh_rows()

    # --- tags and note ----------------------------------------------------------------------
    def action_edit_notes(self) -> None:
        data = self._target()
        if data is None:
            return

        def done(result: tuple[list[str], str] | None) -> None:
            if result is None:
                return
            try:
                write_notes(data.run.path, tags=result[0], note=result[1])
            except (AigcError, OSError) as exc:
                self.notify(str(exc) if isinstance(exc, AigcError) else os_reason(exc), severity="warning")
                return
            self.notify(f"saved tags and note of {data.row.name}")
            self.refresh_rows()

        self.app.push_screen(NotesScreen(data.row.name, data.row.tags, data.row.note), done)

    # --- config diff ------------------------------------------------------------------------
    def action_diff_runs(self) -> None:
        """Diff the selected run's config with the one marked run, else with one picked from a list."""
        data = self._target()
        if data is None:
            return
        marked = [r for r in self.compare if r in self.rows and r != data.row.id]
        if len(marked) == 1:
            self._show_diff(data, self.rows[marked[0]])
            return
        others = marked or [r for r in self.rows if r != data.row.id]
        if not others:
            self.notify("there is no other run to compare with", severity="warning")
            return
        choices = [(r, f"{self.rows[r].row.name}  {r}") for r in sorted(others, reverse=True)]

        def picked(run_id: str | None) -> None:
            if run_id in self.rows:
                self._show_diff(data, self.rows[run_id])

        self.app.push_screen(PickRunScreen(f"Compare the config of {data.row.name} with:", choices), picked)

    def _show_diff(self, a: RowData, b: RowData) -> None:
        same = a.row.name == b.row.name
        self.app.push_screen(DiffScreen(a.row.id if same else a.row.name, b.row.id if same else b.row.name,
                                        diff_runs(a.run, b.run)))
