"""The fork modal of the Checkpoints pane: config only (into Launch) or with the checkpoint's weights.

A fork with weights checks the data, the model and the shapes before it creates the run: for a
classifier that reads its labelled data (seconds), so the pane runs it on a thread while this
dialog says so; it closes when the run has started, or shows why not and stays open.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet

from aigc_tui.launch.fork import ForkPlan
from aigc_tui.runs import CheckpointInfo
from aigc_tui.runs.store import Run
from aigc_tui.ui.dialog import StepsDialog
from aigc_tui.ui.widgets.text_fields import FieldInput

CONFIG_ONLY = "config"


class ForkScreen(StepsDialog["str | None"]):
    """Dismisses with CONFIG_ONLY or None; a ForkPlan (start a run from the weights) goes to `fork`,
    which checks and starts it off the UI thread and then calls `forked` or `failed` here."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="fork.cancel")]
    AUTO_FOCUS = "#fork-how"  # the app turns auto-focus off; a dialog needs its keys from the start

    def __init__(self, ckpt: CheckpointInfo, steps: int, fork: Callable[[ForkPlan], object]) -> None:
        super().__init__()
        self.ckpt = ckpt
        self.steps = steps
        self.fork = fork
        self.checking = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Fork {Run(self.ckpt.run_dir).name} / {self.ckpt.name} (step {self.ckpt.step})", markup=False)
            with RadioSet(id="fork-how"):
                yield RadioButton("Config only: edit it in Launch, train from scratch", value=True, id="fork-config")
                yield RadioButton("With weights, from step 0", id="fork-weights")
                yield RadioButton("With weights, at its step (continue the count)", id="fork-keep-step")
            yield Checkbox("keep its optimizer state (else a fresh optimizer)", id="fork-keep-optimizer",
                           disabled=not self.ckpt.resumable)
            with Horizontal():
                yield Label("run.steps (with weights) ")
                yield FieldInput(str(self.steps), id="fork-steps", type="integer", compact=True)
            yield Label("", id="fork-error", markup=False)  # errors quote paths and [MASK]s
            with Horizontal():
                yield Button("Fork", variant="success", id="fork-go", compact=True)
                yield Button("Cancel (esc)", id="fork-cancel", compact=True)

    @on(Button.Pressed, "#fork-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#fork-go")
    @on(Input.Submitted, "#fork-steps")
    def go(self) -> None:
        if self.checking:
            return
        pressed = self.query_one(RadioSet).pressed_button
        how = pressed.id if pressed is not None else "fork-config"
        if how == "fork-config":
            self.dismiss(CONFIG_ONLY)
            return
        raw = self.query_one("#fork-steps", Input).value.strip()
        keep_step = how == "fork-keep-step"
        floor = self.ckpt.step if keep_step else 0
        try:
            steps = int(raw)
        except ValueError:
            self.query_one("#fork-error", Label).update(f"run.steps: {raw!r} is not a whole number")
            return
        if steps <= floor:
            self.query_one("#fork-error", Label).update(f"run.steps must be a whole number above {floor}")
            return
        plan = ForkPlan(weights=True, keep_step=keep_step,
                        keep_optimizer=self.query_one("#fork-keep-optimizer", Checkbox).value,
                        overrides=[f"run.steps={steps}"])
        self._checking(True, "checking the data, the model and its shapes…")
        self.fork(plan)

    def _checking(self, on: bool, line: str) -> None:
        self.checking = on
        self.query_one("#fork-go", Button).disabled = on
        self.query_one("#fork-error", Label).update(line)

    def failed(self, message: str) -> None:
        """The check refused the fork: say why here (the pane notifies too); the user may fix it."""
        self._checking(False, message)

    def forked(self, line: str) -> None:
        """The run started; close, unless another screen sits on top (then say so here)."""
        if self.app.screen is self:
            self.dismiss(None)
        else:
            self.query_one("#fork-error", Label).update(line)
