"""Text fields that take a burst of keys in the order it was typed.

Textual runs a focused widget's own key bindings (backspace, delete, arrows, home/end) only
after the key has bubbled up to the App, while printable keys are inserted at once. Keys that
arrive in one burst (typed fast on a busy box, or one SSH packet) were applied out of order:
"⌫⌫⌫⌫5" into "3000" left the field empty (the 5 went in first, the four deletes took it), and
a Start right after read the old value. These fields run their own bindings as each key
arrives, so the queue of keys is applied in order.

A key the field does not take (tab, ctrl+s, a pane's key) would bubble to the screen's and the
App's bindings, and so ran after the rest of the burst: `best<Tab>lr too high` all went into
the tags field and the Tab ran last (tester8 I3). Such a key runs the bindings around the field
as it arrives; when it moved the focus away (Tab, a dialog opened), the keys typed after it
that were already queued here go on to the widget that has the focus now.

A field left focused in a pane that a quick switch just hid (the focus moves on only after the
next refresh) types nothing: a `2` pressed then went into the hidden Runs filter instead of
switching panes (tester8 I12). The key runs the bindings of what is shown around it (the App's
pane keys, q, ?), never the field's own nor its hidden pane's.
Use them for every typed field in the app.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.validation import Integer, Number
from textual.widgets import Input, TextArea


class InOrderKeys:
    """Runs the key bindings for this widget's keys in its key handler, in arrival order."""

    _moved_on = False  # a key here moved the focus away: the keys queued behind it follow the focus

    def _types(self, event: events.Key) -> bool:
        """Whether the widget's own key handler takes this key (inserts it)."""
        return event.is_printable

    def _on_focus(self, event: events.Focus) -> None:
        self._moved_on = False

    async def _on_key(self, event: events.Key) -> None:
        app: Any = self.app  # type: ignore[attr-defined]
        if self._moved_on and app.focused is not self:
            event.stop()
            event.prevent_default()  # typed after the key that moved on: it is not this field's
            if not await app._check_bindings(event.key, priority=True):
                (app.focused or app.screen)._forward_event(events.Key(event.key, event.character))
            return
        nodes = list(self.ancestors_with_self)  # type: ignore[attr-defined]
        hidden = [index for index, node in enumerate(nodes) if not node.display]
        if hidden:
            event.stop()
            event.prevent_default()
            await _run_bindings(app, event.key, nodes[hidden[-1] + 1:])
            return
        # a key edits what the user can see: a field scrolled out of view comes back first (tester7 H11)
        self.scroll_visible(animate=False)  # type: ignore[attr-defined]
        for binding in self._bindings.key_to_bindings.get(event.key, ()):  # type: ignore[attr-defined]
            if not binding.priority and await app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()  # the base classes' key handlers have nothing left to do
                return
        if self._types(event) or app.focused is not self:
            return
        # it would bubble, and run after the keys queued behind it: run the bindings around the field now
        if await app._check_bindings(event.key):
            event.stop()
            event.prevent_default()
            self._moved_on = app.focused is not self


async def _run_bindings(app: Any, key: str, nodes: list[Any]) -> bool:
    """Run the key's first (non-priority) binding on these nodes, innermost first, up to a modal screen."""
    for node in nodes:
        for binding in node._bindings.key_to_bindings.get(key, ()):
            if not binding.priority and await app.run_action(binding.action, node):
                return True
        if node.is_modal:
            break
    return False


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

    def _types(self, event: events.Key) -> bool:
        indent = self.tab_behavior == "indent" and event.key in ("tab", "escape")
        return event.is_printable or event.key == "enter" or indent
