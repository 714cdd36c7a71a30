"""Toasts show run names, paths and errors as written: a run named like Textual markup neither
loses its brackets nor crashes the app (fixer8b)."""

from __future__ import annotations

from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from textual.widgets import DataTable

from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane

NAME = "a[/]b[bold]c"  # `[/]` alone raised MarkupError in the toast; `[bold]` vanished


def screen_rows(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_a_toast_naming_a_markup_looking_run_shows_it_as_written(fixture_runs):
    failed = next(fixture_runs.glob("*-fixture-failed-cccc"))
    config = failed / "config.toml"
    config.write_text(config.read_text().replace('name = "fixture-failed"', f'name = "{NAME}"'))
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.query_one(DataTable).row_count == 3, what="the runs table")
        await wait_for(pilot, lambda: app.query_one(RunsPane).selected.endswith("cccc"), what="the run selected")
        await pilot.press("m")  # it logged no metrics: the toast names it
        shown = f"{NAME} has logged no metrics yet"
        await wait_for(pilot, lambda: any(shown in row for row in screen_rows(app)), what=f"{shown!r} on screen")
