"""Keys act in the order typed, whichever widget has the focus.

Textual hands a key to the focused widget's queue and runs the bindings (the widget's, its pane's,
the app's) only once the key has bubbled back up to the App, by which time the keys typed behind it
in the same burst (one SSH packet, or fast typing on a busy box) were already handed to the same
widget. So `/fix` ran `f` (fork) on the runs table before `/` moved the focus to the filter, and a
pane key typed right after another key could act on the pane being left.

Tables, trees and buttons take every key through bindings (none types text or handles keys of its
own), so the App runs the bindings as such a key arrives: what Textual would do, only in order.
A key handed to a text field is typed before the App acts on the next one (`x esc 3`: x is in the
field, then Esc leaves it, then 3 switches panes); the fields run their own bindings in order
(widgets/text_fields.py). Actions that move the focus use focus_now, so the next key of the burst
already goes to the new focus.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.app import App
from textual.widgets import Button, DataTable, Input, TextArea, Tree

BINDINGS_ONLY = (DataTable, Tree, Button)  # widgets whose keys are all bindings
TYPING = (Input, TextArea)  # widgets that type the keys they are handed
TYPED_WITHIN_S = 0.5  # a field that does not get to a key this soon (being removed, busy) is not waited for


class InOrderBindingsApp(App[int]):
    """An App that acts on each key only after the key before it was typed or acted on."""

    _typing: asyncio.Event | None = None  # set once the field handed the last key has handled it

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._typing is not None:
            try:
                await asyncio.wait_for(self._typing.wait(), TYPED_WITHIN_S)
            except TimeoutError:
                pass
            self._typing = None
        focused = self.focused
        if focused is not None and not focused.is_attached:  # removed meanwhile (a pane dropped): through it
            self.screen.set_focus(None)  # a key went nowhere, not even 1-4
            focused = None
        if isinstance(focused, BINDINGS_ONLY) and self.screen.maximized is None:
            self.app_focus = True
            if await self._check_bindings(event.key, priority=True) or await self._check_bindings(event.key):
                return
        await super().on_event(event)
        if event.is_forwarded and isinstance(focused, TYPING) and self.focused is focused:
            typing = self._typing = asyncio.Event()
            if not focused.call_later(typing.set):  # queued behind the key: runs once the field is done with it
                self._typing = None
