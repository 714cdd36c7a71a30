"""Text fields that take a burst of keys in the order it was typed.

Textual runs a focused widget's own key bindings (backspace, delete, arrows, home/end) only
after the key has bubbled up to the App, while printable keys are inserted at once. Keys that
arrive in one burst (typed fast on a busy box, or one SSH packet) were applied out of order:
"⌫⌫⌫⌫5" into "3000" left the field empty (the 5 went in first, the four deletes took it), and
a Start right after read the old value. These fields run their own bindings as each key
arrives, so the queue of keys is applied in order; a key they do not bind bubbles as before.
Use them for every typed field in the app.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.validation import Integer, Number
from textual.widgets import Input, TextArea


class InOrderKeys:
    """Runs this widget's own (non-priority) key bindings in its key handler, in arrival order."""

    async def _on_key(self, event: events.Key) -> None:
        # a key edits what the user can see: a field scrolled out of view comes back first (tester7 H11)
        self.scroll_visible(animate=False)  # type: ignore[attr-defined]
        for binding in self._bindings.key_to_bindings.get(event.key, ()):  # type: ignore[attr-defined]
            if not binding.priority and await self.app.run_action(binding.action, self):  # type: ignore[attr-defined]
                event.stop()
                event.prevent_default()  # the base classes' key handlers have nothing left to do
                return


class FieldInput(InOrderKeys, Input):
    """An Input whose keys apply in the order typed.

    A number field (type "integer" or "number") keeps every character typed or pasted: Textual's type
    restriction dropped those that did not fit, silently, so `1e3` read as 13 (a 13-step run started) and
    `0,5` as 5. The field still marks a value that is not a number; whoever reads it names what is wrong.
    """

    def __init__(self, *args: Any, type: str = "text", **kwargs: Any) -> None:
        if type in ("integer", "number") and not kwargs.get("validators"):
            kwargs["validators"] = [Integer() if type == "integer" else Number()]
        super().__init__(*args, **kwargs)


class FieldTextArea(InOrderKeys, TextArea):
    """A TextArea whose keys apply in the order typed."""
