"""The tags-and-note modal (`n` in Runs), and how tags and a note read in the table and monitor."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from aigc_tui.errors import AigcError
from aigc_tui.runs.notes import check_note, parse_tag_list
from aigc_tui.runs.summary import RunRow
from aigc_tui.ui.widgets.text_fields import FieldInput


def tags_text(tags: list[str]) -> str:
    return " ".join(f"#{t}" for t in tags)


def notes_markup(row: RunRow) -> str:
    """One line for the monitor: the tags, then the note's first line."""
    note = row.note.splitlines()[0] if row.note else ""
    return f"[b $accent]{escape(tags_text(row.tags))}[/]  {escape(note)}".strip()


class NotesScreen(ModalScreen[tuple[list[str], str] | None]):
    """Edit a run's tags (words) and note; enter saves, esc cancels, a bad tag is said inline."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="notes.cancel")]
    AUTO_FOCUS = "#notes-tags"  # not on_mount: a screen pushed while the app quits is never composed
    DEFAULT_CSS = """
    NotesScreen { align: center middle; }
    NotesScreen > Vertical { width: 70; max-width: 100%; height: auto; border: thick $primary;
                             background: $surface; padding: 0 1; }
    NotesScreen Label { margin-top: 1; }
    NotesScreen #notes-error { color: $error; height: auto; }
    NotesScreen #notes-keys { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, run_name: str, tags: list[str], note: str) -> None:
        super().__init__()
        self.run_name = run_name
        self.tags = tags
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]Tags and note[/b] of {escape(self.run_name)}")
            yield Label("tags (words, e.g. best baseline)")
            # the cursor after what is there, nothing selected: typing adds a tag, never replaces them (tester9 F7)
            yield FieldInput(" ".join(self.tags), id="notes-tags", compact=True, select_on_focus=False)
            yield Label("note")
            yield FieldInput(self.note.replace("\n", " "), id="notes-note", compact=True, select_on_focus=False)
            yield Static("", id="notes-error")
            yield Static("enter saves · tab next field · esc cancels", id="notes-keys")

    @on(Input.Submitted)
    def _save(self) -> None:
        try:
            tags = parse_tag_list(self.query_one("#notes-tags", Input).value)
            note = check_note(self.query_one("#notes-note", Input).value)
        except AigcError as exc:
            self.query_one("#notes-error", Static).update(escape(str(exc)))
            return
        self.dismiss((tags, note))

    def action_cancel(self) -> None:
        self.dismiss(None)
