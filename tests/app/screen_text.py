"""Plain text of what the app shows now (for looking at a screen while writing tests)."""

from __future__ import annotations


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
