"""A number field keeps every character typed: `1e3` stays `1e3` and is refused in one line naming
it, never read as `13` (Textual's integer restriction dropped the `e`, and a 13-step run started)."""

from __future__ import annotations

from pilot_wait import text_of, wait_for
from test_extend_app import _finished_run
from test_launch_form_fields import show_recipe
from textual.widgets import Button, Input, Label, RadioButton

from aigc_tui.runs import list_runs
from aigc_tui.runs.checkpoints import read_checkpoint
from aigc_tui.ui.app import make_app
from aigc_tui.ui.extend_screen import ExtendScreen
from aigc_tui.ui.fork_screen import ForkScreen


async def _type_into(pilot, field: Input, text: str) -> None:
    # focus until it holds: a pane focusing its main widget as it loads may take it back once
    await wait_for(pilot, lambda: field.has_focus or field.focus() and False, what="the field focused")
    field.value = ""
    await pilot.press(*text)


async def test_launch_steps_keeps_1e3_and_names_it_instead_of_starting_13_steps(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        form = await show_recipe(pilot, app, "gan_mlp_digits")
        steps = form.query_one("#f-run-steps", Input)
        await _type_into(pilot, steps, "1e3")
        await wait_for(pilot, lambda: "run.steps" in text_of(app, "#launch-errors"), what="the steps error")
        assert steps.value == "1e3"
        assert "'1e3'" in text_of(app, "#launch-errors")  # what was typed, not the 1000.0 TOML reads
        assert app.query_one("#start", Button).disabled
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not list_runs(runs_dir)


async def test_a_float_field_keeps_a_comma_and_names_it(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        form = await show_recipe(pilot, app, "gan_mlp_digits")
        lr = form.query_one("#f-train-lr_g", Input)
        await _type_into(pilot, lr, "0,5")  # read as 05 = 5.0 before
        await wait_for(pilot, lambda: "train.lr_g" in text_of(app, "#launch-errors"), what="the lr error")
        assert lr.value == "0,5" and "'0,5'" in text_of(app, "#launch-errors")


async def test_extend_keeps_2e4_and_says_it_is_not_a_whole_number(runs_dir, monkeypatch):
    run = _finished_run(runs_dir)
    app = make_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ExtendScreen("done", 20, "step 20", extend=lambda steps: f"extended to {steps}"))
        field = app.screen.query_one("#extend-steps", Input)
        await _type_into(pilot, field, "2e4")
        await pilot.press("enter")
        error = app.screen.query_one("#extend-error", Label)
        await wait_for(pilot, lambda: str(error.render()), what="a line in the dialog")
        assert field.value == "2e4"
        assert str(error.render()) == "run.steps: '2e4' is not a whole number of steps"
        assert run.config()["run"]["steps"] == 20


async def test_fork_steps_keeps_1e3_and_names_it(runs_dir):
    run = _finished_run(runs_dir)
    ckpt = read_checkpoint(run.path / "checkpoints" / "step-00000020")
    forks = []
    app = make_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ForkScreen(ckpt, 20, fork=forks.append))
        app.screen.query_one("#fork-weights", RadioButton).value = True
        field = app.screen.query_one("#fork-steps", Input)
        await _type_into(pilot, field, "1e3")
        await pilot.press("enter")
        error = app.screen.query_one("#fork-error", Label)
        await wait_for(pilot, lambda: str(error.render()), what="a line in the dialog")
        assert field.value == "1e3"
        assert str(error.render()) == "run.steps: '1e3' is not a whole number"
        assert not forks


def test_generate_names_a_sampling_field_as_typed():
    from aigc_tui.ui.gen_choices import PARAMS, read_params

    fields = {name: default for name, default, _ in PARAMS}
    assert read_params(fields)["max_new_tokens"] == 200
    assert read_params({**fields, "max_new_tokens": "1e3"}) == "max_new_tokens = '1e3': not a whole number"
    assert read_params({**fields, "temperature": "0,7"}) == "temperature = '0,7': not a number"
