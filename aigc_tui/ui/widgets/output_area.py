"""A read-only text box for streamed output (Generate's outputs), with no cursor blink."""

from __future__ import annotations

from typing import Any

from textual.widgets import TextArea


class OutputArea(TextArea):
    """Read-only, soft-wrapped, compact. No blink: Textual's TextArea restarts its blink timer on
    every multi-character insert, focused or not (textual 8.2), so an output box that was never
    focused woke the app twice a second for good after one generation (idle CPU doubled)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", read_only=True, soft_wrap=True, compact=True, **kwargs)
        self.cursor_blink = False
