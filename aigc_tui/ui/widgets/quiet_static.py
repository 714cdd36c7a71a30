"""A Static that does not relayout the screen for nothing.

`Static.update()` asks for a layout of the whole screen on every call. The Runs monitor
updates its header, legend, readout and sample label each time a live run logs, and on a
fast run (a GPU logs several times a second) those relayouts were most of the app's CPU.
"""

from __future__ import annotations

from typing import Any

from textual.visual import VisualType
from textual.widgets import Static


class QuietStatic(Static):
    """`update()` is a no-op for the text already shown.

    `fitted=True` says the caller fits every line to the widget's width (no wrapping), so a
    new text with as many lines as the widget is high repaints it without a layout.

    Textual keys a widget's cached size on a counter it bumps only when no layout is pending yet:
    a second update before the widget's pending layout was marked done kept the first text's
    height, so the Runs monitor's header showed one line of two (its lineage line missing, 3 runs
    in 10). Each update that may change the size bumps the counter itself.
    """

    def __init__(self, content: VisualType = "", *, fitted: bool = False, **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._fitted = fitted
        self._text: str | None = content if isinstance(content, str) else None

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        old = self._text
        text = content if isinstance(content, str) else None
        if text is not None and text == old:
            return
        if self._fitted and text is not None and self.size.height == text.count("\n") + 1:
            layout = False
        self._text = text
        if layout:  # a new size: never the box model Textual cached for the text before (see class doc)
            self._layout_updates += 1
        super().update(content, layout=layout)
