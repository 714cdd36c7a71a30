"""Generate at 80 columns: the chosen checkpoint and the stop strings can be read."""

from __future__ import annotations

from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from textual.widgets import Input

from aigc_tui.ui.app import make_app


def screen_rows(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_the_model_picker_and_stop_strings_fit_80_columns(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: not app.query_one("#gen-model").is_blank(), what="the newest LM chosen")
        picker = app.query_one("#gen-model")
        await wait_for(pilot, lambda: any("fixture-lm@300 (lm)" in row for row in screen_rows(app)),
                       timeout=30, what=f"the checkpoint's step in a {picker.size.width}-cell picker")
        stops = app.query_one("#gen-stops", Input)
        await wait_for(pilot, lambda: any("stop at (comma-separated): \\n\\n, ###" in row for row in screen_rows(app)),
                       timeout=30, what="the stop strings' example")
        stops.value = "\\n\\n, ###, END"
        await wait_for(pilot, lambda: any("\\n\\n, ###, END" in row for row in screen_rows(app)), what="the stop strings")
