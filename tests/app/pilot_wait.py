"""Waiting in Pilot tests: for a condition, or for the screen to stop changing (no fixed sleeps)."""

from __future__ import annotations

import time

from textual.widgets import Static


async def wait_for(pilot, predicate, timeout: float = 120.0, what: str = "condition"):
    """Poll `predicate` until it returns something truthy (returned) or fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def settle(pilot, predicate, timeout: float = 60.0) -> None:
    """Wait for `predicate`, then for the screen to stop changing.

    Stable means the same frame at four polls in a row, which spans the Runs pane's 0.25 s
    plot redraw timer, so a pending redraw is never mistaken for a finished screen.
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the screen's data"
        await pilot.pause(0.05)
    frames: list[str] = []
    while len(frames) < 4 or len(set(frames[-4:])) > 1:
        assert time.monotonic() < deadline, "the screen never settled"
        await pilot.pause(0.1)
        frames.append(pilot.app.export_screenshot())


def text_of(app, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def focused_prompt(pilot, app, text: str):
    """Generate's prompt, focused, holding `text` with the cursor at its end (where typed keys land)."""
    prompt = await wait_for(pilot, lambda: app.query("#gen-prompt") and app.query_one("#gen-prompt"), what="the prompt")
    prompt.focus()
    await wait_for(pilot, lambda: prompt.has_focus, what="the prompt focused")
    prompt.text = text
    prompt.move_cursor(prompt.document.end)
    return prompt


async def focused_runs_table(pilot, app, rows: int):
    """The runs table, holding `rows` runs and focused (where the first screen's keys land)."""
    def ready():
        tables = app.query("#runs-table")
        return tables and tables.first().row_count == rows and app.focused is tables.first() and tables.first()
    return await wait_for(pilot, ready, what=f"the runs table focused with {rows} runs")
