"""What Generate says about the model: a refusal for want of one goes once one is picked (accept8);
the two sides of *vs* are headed by their picker labels, step included (accept8 J5)."""

from __future__ import annotations

from fixture_runs import make_fixture_runs
from pilot_wait import text_of, wait_for
from textual.widgets import Input, Select

from aigc_tui.ui.app import make_app


async def test_the_pick_a_model_line_goes_when_a_model_is_picked(runs_dir):
    app = make_app(runs_dir, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        refused = "pick a model first"
        await pilot.press("ctrl+g")  # no run yet, nothing typed
        await wait_for(pilot, lambda: refused in text_of(app, "#gen-stats"), what="the refusal")
        typed = app.query_one("#gen-model-path", Input)
        typed.value = "gpt2"  # an HF id typed
        await wait_for(pilot, lambda: refused not in text_of(app, "#gen-stats"), what="the refusal gone (typed)")
        typed.value = ""
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: refused in text_of(app, "#gen-stats"), what="the refusal again")
        make_fixture_runs(runs_dir)  # a run finished meanwhile; ctrl+r lists it and picks its LM
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not app.query_one("#gen-model", Select).is_blank(), what="the LM picked")
        await wait_for(pilot, lambda: refused not in text_of(app, "#gen-stats"), what="the refusal gone (picked)")
