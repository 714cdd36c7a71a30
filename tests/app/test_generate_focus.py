"""Showing Generate never puts the focus in a text field, so the pane keys go on working (issue 9's
focus model; accept8 J1: `4` then `3` typed "3" into the prompt); `p` goes into the field."""

from __future__ import annotations

from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from textual.widgets import Input, TabbedContent, TextArea

from aigc_tui.runs import list_runs
from aigc_tui.ui.app import make_app


async def test_4_then_3_shows_checkpoints_and_p_goes_into_the_prompt(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        tabs = app.query_one(TabbedContent)
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "runs-table", what="Runs")
        await pilot.pause()
        await pilot.press("4")
        await wait_for(pilot, lambda: tabs.active == "generate" and app.focused is not None
                       and app.focused.id == "gen-go", what=f"Generate with its button focused (now {app.focused})")
        await pilot.press("3")
        await wait_for(pilot, lambda: tabs.active == "checkpoints", what="Checkpoints")
        prompt = app.query_one("#gen-prompt", TextArea)
        assert prompt.text == "def "  # nothing typed into it
        await pilot.press("4")
        await wait_for(pilot, lambda: tabs.active == "generate" and app.focused.id == "gen-go", what="Generate")
        await pilot.press("p", "x", "3")  # in the prompt keys type, at its end
        await wait_for(pilot, lambda: prompt.text == "def x3", what=f"the typed prompt (now {prompt.text!r})")
        assert tabs.active == "generate"
        await pilot.press("escape", "2")
        await wait_for(pilot, lambda: tabs.active == "runs", what="Runs")


async def test_a_gan_checkpoint_opened_from_checkpoints_keeps_the_pane_keys(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        gan = next(r for r in list_runs(fixture_runs) if r.name == "fixture-gan")
        app.query_one("GeneratePane").open_checkpoint(gan.checkpoints()[-1])
        await wait_for(pilot, lambda: app.query_one("#gan-controls").display and app.focused is not None
                       and app.focused.id == "gan-grid", what=f"the GAN's Grid button focused (now {app.focused})")
        assert app.screen.active_bindings["p"].binding.description == "Seed"  # the footer names it
        await pilot.press("p", "7")
        assert app.query_one("#gan-seed", Input).value == "7"  # focusing a field selects its value
        await pilot.press("escape", "1")
        await wait_for(pilot, lambda: app.query_one(TabbedContent).active == "launch", what="Launch")
