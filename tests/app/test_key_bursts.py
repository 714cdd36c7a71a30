"""Keys that arrive in one burst (typed fast on a busy box, or one SSH packet) apply in the
order typed, and Start / Generate see what was typed before them."""

from __future__ import annotations

import tomllib

from pilot_wait import focused_prompt, wait_for
from test_launch_form_fields import show_recipe
from textual import events
from textual.widgets import Input

from aigc_tui.runs import list_runs
from aigc_tui.ui.app import make_app


def burst(app, *keys: str) -> None:
    """Queue keys as a terminal delivers a burst: all read before the app handles the first."""
    for key in keys:
        app._driver.send_message(events.Key(key, key if len(key) == 1 else None))


async def test_a_burst_of_edits_then_ctrl_s_starts_the_run_with_the_typed_value(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        form = await show_recipe(pilot, app, "gan_mlp_digits")
        await pilot.pause(0.5)
        steps = form.query_one("#f-run-steps", Input)
        before = steps.value
        steps.focus()
        await wait_for(pilot, lambda: steps.has_focus, what="the steps field focused")
        await pilot.pause(0.2)
        burst(app, "end", *["backspace"] * len(before), "5", "ctrl+s")
        run = await wait_for(pilot, lambda: next(iter(list_runs(runs_dir)), None), what="the run to be created")
        assert steps.value == "5"  # the 5 was typed after the deletes, not taken by them
        assert tomllib.loads(run.config_path.read_text())["run"]["steps"] == 5


async def test_a_burst_into_the_prompt_applies_in_order(runs_dir):
    app = make_app(runs_dir, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        prompt = await focused_prompt(pilot, app, "def ")
        await pilot.pause(0.2)
        burst(app, "backspace", "backspace", "a", "b", "left", "c")
        await wait_for(pilot, lambda: prompt.text != "def ", what="the keys applied")
        await pilot.pause(0.3)
        assert prompt.text == "deacb"
