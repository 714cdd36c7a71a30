"""The look the Fork and Extend dialogs share: a box in the middle of the screen, rows of a
label and a step-count field, a row of buttons."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class StepsDialog(ModalScreen[ResultType]):
    """A modal dialog asking for a run.steps total (its one FieldInput) among other choices.

    Subclasses compose a `Vertical` holding their rows (`Horizontal`s) and buttons, and add
    their own rules for anything else in DEFAULT_CSS (this class's rules apply to them too)."""

    DEFAULT_CSS = """
    StepsDialog { align: center middle; }
    StepsDialog > Vertical { width: 72; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    StepsDialog Horizontal { height: auto; margin-top: 1; }
    StepsDialog Button { margin-right: 2; }
    StepsDialog FieldInput { width: 12; background: $boost; }
    """
