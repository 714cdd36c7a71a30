"""The dialog `r` opens on a run that trained all its steps: a new, higher total, then it resumes."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label

from aigc_tui.ui.dialog import StepsDialog
from aigc_tui.ui.widgets.text_fields import FieldInput


class ExtendScreen(StepsDialog["int | None"]):
    """Asks for run.steps above the checkpoint's step; `extend(steps)` returns '' when the run
    resumed, else the one line why not (shown here; the dialog stays open). Dismisses with the total."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="extend.cancel")]
    AUTO_FOCUS = "#extend-steps"
    DEFAULT_CSS = "ExtendScreen #extend-error { color: $error; }"  # the rest: StepsDialog

    def __init__(self, name: str, trained: int, at: str, extend: Callable[[int], str]) -> None:
        super().__init__()
        self.run_name, self.trained, self.at, self.extend = name, trained, at, extend

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.run_name} trained all its {self.trained} steps ({self.at}).\n"
                        "Extend it: new total run.steps, then it resumes from there.", markup=False)
            with Horizontal():
                yield Label("run.steps ")
                yield FieldInput(str(self.trained * 2), id="extend-steps", type="integer", compact=True)
            yield Label("", id="extend-error", markup=False)
            with Horizontal():
                yield Button("Extend and resume (enter)", variant="primary", id="extend-go")
                yield Button("Cancel (esc)", id="extend-cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#extend-go")
    def _go(self) -> None:
        error = self.query_one("#extend-error", Label)
        text = self.query_one("#extend-steps", Input).value.strip()
        try:
            steps = int(text)
        except ValueError:
            error.update(f"run.steps: '{text}' is not a whole number of steps")
            return
        if steps <= self.trained:
            error.update(f"run.steps: give a total above {self.trained} (the steps it already trained)")
            return
        why = self.extend(steps)
        if why:
            error.update(why)
        else:
            self.dismiss(steps)

    @on(Button.Pressed, "#extend-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
