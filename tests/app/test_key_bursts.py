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
from aigc_tui.ui.panes.runs import RunsPane


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


def typed(text: str) -> list[str]:
    """The key names a terminal's bytes for `text` parse to (a space is "space")."""
    return ["space" if c == " " else c for c in text]


def burst_typed(app, *keys: str) -> None:
    for key in keys:
        app._driver.send_message(events.Key(key, " " if key == "space" else key if len(key) == 1 else None))


async def test_a_burst_with_tab_fills_tags_then_note_in_the_order_typed(runs_dir):
    from aigc_tui.ui.notes_screen import NotesScreen

    app = make_app(runs_dir)
    saved = []
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(NotesScreen("g1", [], ""), saved.append)
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "notes-tags", what="tags focused")
        burst_typed(app, *typed("best"), "tab", *typed("lr too high"), "enter")
        await wait_for(pilot, lambda: saved, what="the dialog to close")
        assert saved == [(["best"], "lr too high")]  # the Tab ran where it was typed, not after the rest


async def test_ctrl_s_in_a_burst_starts_the_run_with_the_name_typed_before_it(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        await show_recipe(pilot, app, "gan_mlp_digits")
        name = app.query_one("#run-name", Input)
        await wait_for(pilot, lambda: name.has_focus or (name.focus() and False), what="the name field focused")
        name.value = ""
        burst_typed(app, *typed("ab"), "ctrl+s", *typed("cd"))
        run = await wait_for(pilot, lambda: next(iter(list_runs(runs_dir)), None), what="the run to be created")
        assert run.name == "ab"  # ctrl+s ran where it was typed, before the c and d after it
        await wait_for(pilot, lambda: app.query(RunsPane) and app.query_one(RunsPane).selected == run.id,
                       what="the new run shown in Runs")  # not quitting while the app still opens it


async def test_keys_reaching_a_field_left_focused_in_a_hidden_pane_type_nothing_and_a_pane_key_switches(runs_dir):
    """tester8 I12: after a quick pane switch the Runs filter, in the pane no longer shown, still held
    the focus for a moment; the next `2` was typed into it (filtering the table) instead of switching."""
    app = make_app(runs_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        tabs = app.query_one("TabbedContent")
        await pilot.press("1")  # Launch built once, so showing it again below is immediate
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "recipes", what="Launch")
        await pilot.press("2")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "runs-table", what="Runs")
        await pilot.press("slash", "a", "b")
        field = app.query_one("#runs-filter", Input)
        assert field.value == "ab"
        tabs.active = "launch"  # shown at once; the focus moves on only after the next refresh
        for key in ("x", "backspace", "2"):  # as the app hands keys to the focused widget before then
            field._forward_event(events.Key(key, key if len(key) == 1 else None))
        await wait_for(pilot, lambda: tabs.active == "runs" or field.value != "ab", what="the keys handled")
        assert field.value == "ab"  # neither typed into nor edited while its pane was not shown
        assert tabs.active == "runs"  # the 2 switched panes
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "runs-table",
                       what=f"the table focused, not the filter left focused before (now {app.focused})")
        await pilot.press("1")  # a pane key again, not typed into the filter
        await wait_for(pilot, lambda: tabs.active == "launch", what="Launch")
        assert field.value == "ab"
