"""In a text field 1-4 type; alt+1..alt+4 switch panes from anywhere, a focused field included."""

from __future__ import annotations

from pilot_wait import wait_for
from test_launch_bad_values import highlight
from textual.widgets import Input

from aigc_tui.ui.app import make_app


async def test_alt_2_from_a_focused_launch_field_switches_to_runs_and_types_nothing(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        tabs = app.query_one("TabbedContent")
        pane = app.query_one("LaunchPane")
        await highlight(pilot, app, "gan_mlp_digits")
        await wait_for(pilot, lambda: pane.config is not None, what="the recipe validated")
        field = app.query_one("#f-run-steps", Input)
        # the recipe list takes focus back once after a pick: focus the field until it holds
        await wait_for(pilot, lambda: field.has_focus or (field.focus() and False), what="the field focused")
        field.value = "40"
        field.action_end()  # the cursor at its end, nothing selected
        await pilot.press("2")  # in a field, 2 types
        assert field.value == "402" and tabs.active == "launch"
        await pilot.press("alt+2")
        await wait_for(pilot, lambda: tabs.active == "runs", what="the Runs pane")
        await pilot.pause()
        assert tabs.active == "runs" and field.value == "402"
        await pilot.press("alt+1")
        await wait_for(pilot, lambda: tabs.active == "launch", what="back to Launch")
