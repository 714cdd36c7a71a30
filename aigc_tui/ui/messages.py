"""Every message the app's parts exchange, as dataclasses that carry their data.

Panes never import each other: a pane posts one of these, it bubbles to the app, and the
app routes it (switch tab, call the target pane's public method). After Toolong's messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from aigc_tui.runs import CheckpointInfo
from aigc_tui.ui.key_order import hold_keys


@dataclass
class MetricsAppended(Message):
    """The tail thread read new metrics of a watched run (collapses with others of that run)."""

    run_id: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, MetricsAppended) and message.run_id == self.run_id


@dataclass
class RunStarted(Message):
    """Launch created a run and spawned its worker: show it in Runs."""

    run_id: str


class ShowsPane(Message):
    """A message that shows another pane: the keys typed behind the key that sent it wait for that pane."""

    def __post_init__(self) -> None:
        super().__post_init__()
        hold_keys()


@dataclass
class OpenCheckpoints(ShowsPane):
    """Show a run's checkpoints."""

    run_id: str


@dataclass
class OpenGenerate(ShowsPane):
    """Sample or generate from a checkpoint."""

    checkpoint: CheckpointInfo


@dataclass
class OpenRecipe(ShowsPane):
    """Open Launch with a recipe filled in: a checkpoint's config (fork) or a fine-tune of it."""

    label: str  # shown as the recipe's name, e.g. `RUN@step-00000200`
    recipe: dict[str, Any]


@dataclass
class FormChanged(Message):
    """A config form was edited: the validated config, or the error lines."""

    form: Any  # the ConfigForm that posted it (a replaced form's late message is ignored)
    config: Any
    errors: list[str] = field(default_factory=list)
