"""Keys reach the app's bindings in the order typed, also while a table, tree or button has the focus.

Textual hands a key to the focused widget's queue and runs the bindings (the widget's, its pane's,
the app's) only once the key has bubbled back up to the App, by which time the keys typed behind it
in the same burst (one SSH packet, or fast typing on a busy box) were already handed to the same
widget. So `/fix` ran `f` (fork) on the runs table before `/` moved the focus to the filter, and a
pane key typed right after another key could act on the pane being left.

Tables, trees and buttons take every key through bindings (none types text or handles keys of its
own), so running the bindings as the key arrives at the App is what Textual would do, only in order.
Text fields keep their own order (widgets/text_fields.py). Actions that move the focus use
focus_now, so the next key of the burst already goes to the new focus.
"""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.widgets import Button, DataTable, Tree

BINDINGS_ONLY = (DataTable, Tree, Button)  # widgets whose keys are all bindings


class InOrderBindingsApp(App[int]):
    """An App that runs the bindings for a key at once when the focus is on a bindings-only widget."""

    async def on_event(self, event: events.Event) -> None:
        if (isinstance(event, events.Key) and not event.is_forwarded and isinstance(self.focused, BINDINGS_ONLY)
                and self.screen.maximized is None):
            self.app_focus = True
            if await self._check_bindings(event.key, priority=True) or await self._check_bindings(event.key):
                return
        await super().on_event(event)
