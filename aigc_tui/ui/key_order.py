"""Keys act in the order typed, whichever widget has the focus.

Textual hands a key to the focused widget's queue and runs the bindings (the widget's, its pane's,
the app's) only once the key has bubbled back up to the App, by which time the keys typed behind it
in the same burst (one SSH packet, or fast typing on a busy box) were already handed to the same
widget. So `/fix` ran `f` (fork) on the runs table before `/` moved the focus to the filter, and a
pane key typed right after another key could act on the pane being left.

Tables, trees, buttons, lists and selects take every key through bindings (none types text or
handles keys of its own), so the App runs the bindings as such a key arrives: what Textual would
do, only in order.
A key handed to a text field is typed before the App acts on the next one (`x esc 3`: x is in the
field, then Esc leaves it, then 3 switches panes); the fields run their own bindings in order
(widgets/text_fields.py). Actions that move the focus use focus_now, so the next key of the burst
already goes to the new focus.

A key that shows another pane (1-4, Runs' `k`, Checkpoints' `g`/`f`/`t`) moves the focus only once that
pane is built and laid out; the keys typed behind it are held until then and go to the pane shown, never
to the one left behind: `kdy` deleted the whole run the table still had selected instead of asking about
a checkpoint (tester9 F4/F5).

ESC N reads as alt+N (ui/paste_guard), and on a dialog, which has no pane to switch, it is what a fast
typist sent: Esc (closing the dialog), then N, which then switches the pane; both keys were lost (tester9 F2).
"""

from __future__ import annotations

import asyncio
import functools
import time

from textual import events
from textual._context import active_app
from textual.app import App
from textual.widget import Widget
from textual.widgets import Input, TextArea

TYPING = (Input, TextArea)  # widgets that type the keys they are handed
TYPED_WITHIN_S = 0.5  # a field that does not get to a key this soon (being removed, busy) is not waited for
HOLD_AT_MOST_S = 3.0  # keys held for a pane being shown go on after this even if it never takes the focus
HOLD_POLL_S = 0.02


@functools.cache
def bindings_only(cls: type) -> bool:
    """Whether a widget class takes every key through bindings (tables, trees, buttons, lists, selects,
    checkboxes), i.e. handles no key itself (a text field, a select's type-to-search list)."""
    return (getattr(cls, "_on_key", None) is Widget._on_key and not hasattr(cls, "on_key")
            and not any(name.startswith("key_") for name in dir(cls)))


def shown(widget: Widget) -> bool:
    """Whether the widget and everything around it is displayed (not in a pane switched away from)."""
    return all(node.display for node in widget.ancestors_with_self)


def hold_keys() -> None:
    """Hold the keys typed from now on until the focus has moved to a widget shown (a pane opening)."""
    app = active_app.get(None)
    if isinstance(app, InOrderBindingsApp):
        app.hold_keys()


class InOrderBindingsApp(App[int]):
    """An App that acts on each key only after the key before it was typed or acted on."""

    _typing: asyncio.Event | None = None  # set once the field handed the last key has handled it
    _held: list[tuple[str, str | None]] | None = None  # keys waiting for a pane being shown (hold_keys)
    _held_from: Widget | None = None
    _hold_until = 0.0

    def hold_keys(self) -> None:
        if self._held is None:
            self._held, self._held_from = [], self.focused
            self._hold_until = time.monotonic() + HOLD_AT_MOST_S
            self.set_timer(HOLD_POLL_S, self._release_keys)

    def _release_keys(self) -> None:
        """Once the focus is on a widget shown (not the one it left), the held keys go on, in order."""
        if not self.screen_stack or not self.is_running:  # closing
            return
        focused = self.focused
        moved = focused is not None and focused is not self._held_from and shown(focused)
        if not moved and time.monotonic() < self._hold_until:
            self.set_timer(HOLD_POLL_S, self._release_keys)
            return
        held, self._held, self._held_from = self._held or [], None, None
        for key, character in held:
            self.post_message(events.Key(key, character))

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._held is not None:
            self._held.append((event.key, event.character))
            return
        if (digit := self._esc_digit_on_dialog(event.key)) is not None:
            dialog = self.screen
            await self._key(events.Key("escape", "\x1b"))
            if self.screen is dialog:  # its Esc went through a field first: the digit waits for it to close
                self.hold_keys()
                assert self._held is not None
                self._held.append((digit, digit))
                return
            event = events.Key(digit, digit)
        await self._key(event)
        if self.focused is not None and not shown(self.focused):  # a pane switched away from: the focus follows
            self.hold_keys()

    def _esc_digit_on_dialog(self, key: str) -> str | None:
        """The digit of an alt+digit typed on a dialog that does not bind it itself, else None."""
        digit = key.removeprefix("alt+")
        if len(key) != 5 or digit == key or not digit.isdigit() or len(self.screen_stack) < 2:
            return None
        return None if key in self.screen._bindings.key_to_bindings else digit

    async def _key(self, event: events.Key) -> None:
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
        if focused is not None and bindings_only(type(focused)) and self.screen.maximized is None:
            self.app_focus = True
            if await self._check_bindings(event.key, priority=True) or await self._check_bindings(event.key):
                return
        await super().on_event(event)
        if event.is_forwarded and isinstance(focused, TYPING) and self.focused is focused:
            typing = self._typing = asyncio.Event()
            if not focused.call_later(typing.set):  # queued behind the key: runs once the field is done with it
                self._typing = None
