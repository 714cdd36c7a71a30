"""The Checkpoints pane's tree: Space and Enter before any run is highlighted start at the first run."""

from __future__ import annotations

from typing import Any

from textual.widgets import Tree


class CheckpointTree(Tree[Any]):
    """Textual's Tree toggles `_tree_lines[cursor_line]`, and with no line highlighted yet (-1) that is the
    last line: Space on a fresh tree expanded the bottom run (tester9 F11). Here it highlights the first."""

    def _no_cursor_yet(self) -> bool:
        if self.cursor_line < 0 and self.last_line >= 0:
            self.cursor_line = 0
            return True
        return False

    def action_toggle_node(self) -> None:
        if not self._no_cursor_yet():
            super().action_toggle_node()

    def action_select_cursor(self) -> None:
        if not self._no_cursor_yet():
            super().action_select_cursor()
