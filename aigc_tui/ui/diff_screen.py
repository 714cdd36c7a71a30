"""The config diff of two runs (`D` in Runs), and the list to pick the second run from."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, OptionList
from textual.widgets.option_list import Option

from aigc_tui.runs.config_diff import Change, show


class DiffScreen(ModalScreen[None]):
    """The keys two runs' configs differ in: key, the first run's value, the second's."""

    BINDINGS = [Binding("escape,q,D", "dismiss", "Close", id="diff.close")]
    DEFAULT_CSS = """
    DiffScreen { align: center middle; }
    DiffScreen > Vertical { width: 100%; max-width: 110; height: auto; max-height: 100%;
                            border: thick $primary; background: $surface; padding: 0 1; }
    DiffScreen DataTable { height: auto; max-height: 18; }
    DiffScreen #diff-keys { color: $text-muted; }
    """

    def __init__(self, a: str, b: str, changes: list[Change]) -> None:
        super().__init__()
        self.a, self.b, self.changes = a, b, changes

    def compose(self) -> ComposeResult:
        with Vertical():
            count = f"{len(self.changes)} key(s) differ" if self.changes else "the configs are the same"
            yield Label(f"[b]Config diff[/b]  {escape(self.a)} → {escape(self.b)}: {count}")
            if self.changes:
                yield DataTable(id="diff-table", cursor_type="row", zebra_stripes=True)
            yield Label("esc closes", id="diff-keys")

    def on_mount(self) -> None:
        tables = self.query(DataTable)  # none when there is nothing to list, or the app is quitting
        if not tables:
            return
        table = tables.first()
        table.add_columns("key", self.a[:24], self.b[:24])
        for change in self.changes:
            table.add_row(change.key, escape(show(change.a)), escape(show(change.b)))
        table.focus()


class PickRunScreen(ModalScreen[str | None]):
    """Pick the run to compare with (when no other run is marked): enter picks, esc cancels."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="pick.cancel")]
    AUTO_FOCUS = "#pick-list"
    DEFAULT_CSS = """
    PickRunScreen { align: center middle; }
    PickRunScreen > Vertical { width: 70; max-width: 100%; height: auto; max-height: 100%;
                               border: thick $primary; background: $surface; padding: 0 1; }
    PickRunScreen OptionList { height: auto; max-height: 16; }
    """

    def __init__(self, title: str, runs: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.runs = runs  # (run id, label)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield OptionList(*(Option(escape(label), id=run_id) for run_id, label in self.runs), id="pick-list")
            yield Label("[dim]enter picks · esc cancels[/]")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
