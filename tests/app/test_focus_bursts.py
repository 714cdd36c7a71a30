"""A key that moves the focus takes the keys typed right behind it along (one SSH packet, or typing
fast on a busy box): `/fix` filters the runs instead of running `f` on the table, and `esc 3`
leaves the field and switches panes instead of typing the 3 into it."""

from __future__ import annotations

from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from test_key_bursts import burst
from textual.widgets import DataTable, Input, TabbedContent

from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane

LM = "20260101-000100-fixture-lm-bbbb"


def row_keys(app) -> list[str]:
    return [str(k.value) for k in app.query_one(DataTable).rows]


async def test_slash_and_a_name_typed_in_one_burst_filter_the_runs(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(row_keys(app)) >= 3, what="the runs table")
        table = app.query_one(DataTable)
        await wait_for(pilot, lambda: table.has_focus, what="the runs table focused")
        burst(app, "slash", *"fixture-lm", "enter")
        await wait_for(pilot, lambda: row_keys(app) == [LM], what="the filter showing one run")
        assert app.query_one("#runs-filter", Input).value == "fixture-lm"
        assert app.screen is app.screen_stack[0]  # no dialog opened by a letter the table took (f: fork, t: tags)
        await wait_for(pilot, lambda: table.has_focus, what="enter back in the table")
        assert app.query_one(RunsPane).selected == LM  # the run shown, not the hidden one `d` or `a` would hit


async def test_esc_and_a_pane_key_in_one_burst_leave_the_field_and_switch(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(row_keys(app)) >= 3, what="the runs table")
        field = app.query_one("#runs-filter", Input)
        await wait_for(pilot, lambda: app.query_one(DataTable).has_focus, what="the runs table focused")
        await pilot.press("slash")
        await wait_for(pilot, lambda: field.has_focus, what="the filter focused")
        burst(app, "x", "escape", "3")
        await wait_for(pilot, lambda: app.query_one(TabbedContent).active == "checkpoints", what="Checkpoints shown")
        assert field.value == "x"  # the 3 switched panes; it was not typed into the filter


async def test_p_and_a_prompt_typed_in_one_burst_go_into_the_prompt(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        go = app.query_one("#gen-go")
        await wait_for(pilot, lambda: go.has_focus, what="Generate's button focused")
        prompt = app.query_one("#gen-prompt")
        before = prompt.text
        burst(app, "p", *"xyz")
        await wait_for(pilot, lambda: prompt.text != before, what="the keys typed")
        await pilot.pause(0.3)
        assert prompt.text == before + "xyz" and prompt.has_focus


async def test_k_and_the_keys_behind_it_act_on_the_checkpoints_shown_not_the_run_left_behind(fixture_runs):
    """tester9 F5: `kdy` in one burst ("its checkpoints, delete, yes") deleted the whole run the runs
    table still had selected; the d and y now wait for the Checkpoints pane `k` opens."""
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(row_keys(app)) >= 3, what="the runs table")
        pane = app.query_one(RunsPane)
        pane.select(LM)
        await wait_for(pilot, lambda: pane.selected == LM and app.query_one(DataTable).has_focus, what="the LM selected")
        checkpoints = sorted(p.name for p in (fixture_runs / LM / "checkpoints").iterdir())
        burst(app, "k", "d", "y")
        await wait_for(pilot, lambda: app.query("#ckpt-tree") and app.query_one("#ckpt-tree").has_focus,
                       what="the Checkpoints tree focused")
        await pilot.pause(0.5)
        assert (fixture_runs / LM).is_dir()  # not the Runs table's delete
        assert sorted(p.name for p in (fixture_runs / LM / "checkpoints").iterdir()) == checkpoints


async def test_a_pane_key_from_the_recipe_list_and_the_keys_behind_it_reach_the_pane_shown(fixture_runs):
    """tester9 F8: from Launch's recipe list `4phi` showed Generate but lost the p and hi."""
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "recipes", what="the recipe list")
        burst(app, "4", "p", "h", "i")
        prompt = await wait_for(pilot, lambda: app.query("#gen-prompt") and app.query_one("#gen-prompt"),
                                what="Generate shown")
        await wait_for(pilot, lambda: prompt.text.endswith("hi"), what="hi typed into the prompt")
        assert prompt.has_focus and app.query_one(TabbedContent).active == "generate"
