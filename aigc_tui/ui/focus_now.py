"""Move the focus at once, before the keys already queued behind the one that asked for it.

`Widget.focus()` only queues the change, so the keys of the same burst that are already in the
app's queue (one SSH packet, or typing fast on a busy box) still reach the widget that had the
focus: `/fix` ran `f` (fork) on the runs table instead of filtering, `ctrl+g 2` typed the 2 into
a GAN's seed, and `esc 2` typed the 2 into the field Esc was leaving. Key handlers move the
focus with this instead.
"""

from __future__ import annotations

from textual.widget import NoScreen, Widget


def focus_now(widget: Widget, scroll_visible: bool = True) -> None:
    """Give `widget` the focus of its screen now (a widget no longer on a screen is left alone)."""
    try:
        screen = widget.screen
    except NoScreen:  # removed while the key that asked was queued
        return
    widget.refresh()
    screen.set_focus(widget, scroll_visible=scroll_visible)
