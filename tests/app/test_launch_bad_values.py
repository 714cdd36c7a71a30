"""Launch never crashes on a recipe value outside a field's choices, and never starts a run with a
value the user did not see (an emptied field)."""

from __future__ import annotations

from helpers import write_recipe
from pilot_wait import settle, text_of, wait_for
from textual.widgets import Button, Input, OptionList, Select, Switch

from aigc_tui.paths import config_dir
from aigc_tui.runs.store import list_runs
from aigc_tui.ui.app import make_app
from aigc_tui.ui.widgets.config_form import ConfigForm


def user_recipe(stem: str, data: dict) -> None:
    folder = config_dir() / "recipes"
    folder.mkdir(parents=True, exist_ok=True)
    write_recipe(folder / f"{stem}.toml", data)


async def highlight(pilot, app, stem: str) -> None:
    pane = app.query_one("LaunchPane")
    await wait_for(pilot, lambda: pane.paths and app.query(ConfigForm), what="the launch form")
    app.query_one("#recipes", OptionList).highlighted = [p.stem for p in pane.paths].index(stem)
    await wait_for(pilot, lambda: text_of(app, "#recipe-help").startswith(stem + " "), what=f"the form of {stem}")


async def test_a_recipe_value_outside_the_choices_is_an_error_line_not_a_crash(runs_dir):
    user_recipe("zz_badprec", {"kind": "gan", "name": "zz_badprec", "run": {"precision": "fp8", "steps": 5}})
    user_recipe("zz_lmarch", {"kind": "lm", "name": "zz_lmarch", "model": {"arch": "mamba"}})
    user_recipe("zz_kind", {"kind": "diffusion", "name": "zz_kind"})
    user_recipe("zz_switch", {"kind": "lm", "name": "zz_switch", "model": {"lora": "maybe"}})
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        await highlight(pilot, app, "zz_badprec")
        await wait_for(pilot, lambda: "fp8" in text_of(app, "#launch-errors"), what="the precision error")
        line = text_of(app, "#launch-errors")
        assert "run.precision" in line and "'fp32'" in line, line
        assert app.query_one("#start", Button).disabled
        app.query_one("#f-run-precision", Select).value = "fp32"  # fixed in the form: Start is back
        await wait_for(pilot, lambda: not app.query_one("#start", Button).disabled, what="Start enabled")
        assert "fp8" not in text_of(app, "#launch-errors")

        await highlight(pilot, app, "zz_lmarch")
        await wait_for(pilot, lambda: "mamba" in text_of(app, "#launch-errors"), what="the arch error")
        assert "model.arch" in text_of(app, "#launch-errors")
        assert app.query_one("#start", Button).disabled

        await highlight(pilot, app, "zz_switch")  # was shown on (bool("maybe")) and trained as LoRA
        await wait_for(pilot, lambda: "maybe" in text_of(app, "#launch-errors"), what="the switch's error")
        assert "model.lora" in text_of(app, "#launch-errors") and app.query_one("#start", Button).disabled
        assert not app.query_one("#f-model-lora", Switch).value
        app.query_one("#f-model-lora", Switch).value = True
        await wait_for(pilot, lambda: not app.query_one("#start", Button).disabled, what="Start enabled")

        await highlight(pilot, app, "zz_kind")
        await wait_for(pilot, lambda: "diffusion" in text_of(app, "#launch-errors"), what="the kind error")
        assert not app.query(ConfigForm).first().fields  # no form of some other kind to fill
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: True)
        assert app.is_running and not app.query_one("LaunchPane").starting and not list_runs(runs_dir)


async def test_an_emptied_field_is_an_error_and_starts_nothing(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one("LaunchPane")
        await highlight(pilot, app, "gan_mlp_digits")
        await wait_for(pilot, lambda: pane.config is not None, what="the recipe validated")
        steps = app.query_one("#f-run-steps", Input)
        assert steps.value == "3000"
        steps.value = ""
        await wait_for(pilot, lambda: "run.steps" in text_of(app, "#launch-errors"), what="the empty-field error")
        assert "empty" in text_of(app, "#launch-errors") and "3000" in text_of(app, "#launch-errors")
        assert steps.has_class("-invalid") and app.query_one("#start", Button).disabled
        steps.focus()
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: True)
        assert not pane.starting and not list_runs(runs_dir)
        steps.value = "3000"
        lr = app.query_one("#f-data-limit", Input)  # not in the recipe: the form showed the default
        default = lr.value
        lr.value = ""
        await wait_for(pilot, lambda: "data.limit" in text_of(app, "#launch-errors"), what="the lr error")
        assert f"the default is {int(default)!r}" in text_of(app, "#launch-errors")
        lr.value = default
        await wait_for(pilot, lambda: not app.query_one("#start", Button).disabled, what="Start enabled")
