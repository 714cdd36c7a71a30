"""Work-arounds for two Textual 8.2 leaks that grew the app by ~100 MB an hour of use.

1. Input and TextArea subscribe to their screen's `text_selection_started_signal` when they
   mount and never unsubscribe. The signal keys them weakly, but the callback it keeps refers
   to the field, so every field ever mounted lives as long as its screen. The Launch form
   builds ~30 fields each time a recipe is highlighted.
2. Footer binds each FooterKey's `compact` to its own, which adds a watcher to the Footer
   that Textual prunes only when `compact` changes (never, here). The Footer builds new keys
   on every focus change.
3. `query_one` caches its answer per DOM generation (1,024 entries a node), so a pane that
   rebuilt its form keeps the old forms, fields and all, until the cache wraps around.

`prune_detached(app)` drops all three kinds of entries for widgets no longer in the DOM. The
app's LeakGuard calls it PRUNE_EVERY_S after the user's input, and every PRUNE_RESTING_S
anyway: an untouched app builds no form and no footer, and waking every 20 s to walk every
widget was a fifth of what the idle app cost (issue 9). Remove this module once Textual cleans
up after itself.
"""

from __future__ import annotations

from textual.app import App
from textual.timer import Timer
from textual.widgets import Footer

PRUNE_EVERY_S = 20.0
PRUNE_RESTING_S = 300.0


class LeakGuard:
    """Prunes PRUNE_EVERY_S after a key, click or paste (call `note_input` on each), and every
    PRUNE_RESTING_S anyway; an untouched app's UI thread is not woken in between."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._due: Timer | None = None

    def start(self) -> None:
        self.app.set_interval(PRUNE_RESTING_S, self.prune)

    def note_input(self) -> None:
        if self._due is None:
            self._due = self.app.set_timer(PRUNE_EVERY_S, self.prune)

    def prune(self) -> None:
        if self._due is not None:
            self._due.stop()
            self._due = None
        prune_detached(self.app)


def prune_detached(app: App) -> int:
    """Forget detached widgets held by the screens' signals and the footers' watchers."""
    dropped = 0
    for screen in app.screen_stack:
        signal = getattr(screen, "text_selection_started_signal", None)
        subscriptions = getattr(signal, "_subscriptions", None)
        if signal is not None and subscriptions is not None:
            for node in [n for n in list(subscriptions.keys()) if not n.is_attached]:
                signal.unsubscribe(node)
                dropped += 1
        for node in (app, screen, *screen.walk_children()):
            cache = node._query_one_cache
            for key in [k for k in list(cache.keys()) if not getattr(cache.get(k), "is_attached", True)]:
                cache.discard(key)
                dropped += 1
        for footer in screen.query(Footer):
            watchers: dict[str, list] = getattr(footer, "__watchers", None) or {}
            for entries in watchers.values():
                kept = [(node, callback) for node, callback in entries if node.is_attached]
                dropped += len(entries) - len(kept)
                entries[:] = kept
    return dropped
