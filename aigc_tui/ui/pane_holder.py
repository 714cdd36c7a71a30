"""The tab panes' holders and the panes they hold, built when a tab is first shown."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import RenderResult
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane

from aigc_tui.ui.panes.runs import RunsPane


class StayPane(TabPane):
    """A tab pane that never pulls the user back to it.

    Textual's TabPane switches the tabs to itself when a widget inside it gets focus; a late
    focus (a reload, a mount) in a pane the user has left then drags them back. Here such a
    focus is undone instead: the tab the user is on gets its focus back.
    """

    def render(self) -> RenderResult:
        """'loading…' until the pane is built (an empty widget would show its id: 'StayPane#checkpoints')."""
        return super().render() if self.children else "[dim]loading…[/]"

    def _on_descendant_focus(self, event: events.DescendantFocus) -> None:
        tabs = self.query_ancestor(TabbedContent)
        if tabs.active != self.id:
            event.prevent_default()  # not TabPane's switch
            self.app.call_later(self.app.focus_pane, tabs.active)  # type: ignore[attr-defined]


def build_pane(tab: str, runs_dir: Path) -> Widget:
    """A pane, built when its tab is first shown (imports included: Launch pulls in pydantic)."""
    if tab == "launch":
        from aigc_tui.ui.panes.launch import LaunchPane

        return LaunchPane(runs_dir)
    if tab == "checkpoints":
        from aigc_tui.ui.panes.checkpoints import CheckpointsPane

        return CheckpointsPane(runs_dir)
    if tab == "generate":
        from aigc_tui.ui.panes.generate import GeneratePane

        return GeneratePane(runs_dir)
    return RunsPane(runs_dir)
