"""A recipe's long description stays within a few lines at 80x24: the run name, Start and the form's
errors stay on screen, and a refused ^s says why in a toast (tester6 G34). A field's value (a model
path) reads whole at 80x24 (tester6 G30)."""

from __future__ import annotations

from pilot_wait import wait_for
from screen_text import screen_text
from test_launch_bad_values import highlight, user_recipe
from textual.widgets import Button

from aigc_tui.ui.app import make_app

LONG = "very long description " * 500


def _errors(app) -> list[str]:
    return [str(n.message) for n in app._notifications if n.title == "Cannot start"]


async def test_a_long_description_leaves_the_form_and_its_errors_on_screen(runs_dir):
    user_recipe("zz_longdesc", {"kind": "gan", "name": "n" * 300, "description": LONG, "run": {"steps": 5}})
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(80, 24)) as pilot:
        await highlight(pilot, app, "zz_longdesc")
        await wait_for(pilot, lambda: "200 characters" in screen_text(app), what="the name's error on screen")
        shown = screen_text(app)
        assert shown.count("very long description") < 12, shown  # clamped, ending in '…'
        assert "…" in shown and "Start ^s" in shown, shown
        help_line = app.query_one("#recipe-help")
        assert help_line.size.height <= 3 and help_line.tooltip and "very long" in help_line.tooltip
        assert app.query_one("#start", Button).disabled
        await pilot.press("ctrl+s")  # was silent: the reason was below the fold
        await wait_for(pilot, lambda: _errors(app), what="the refused start's toast")
        assert "200 characters" in _errors(app)[0]


async def test_ctrl_s_on_a_form_with_an_error_says_why_in_a_toast(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one("LaunchPane")
        await highlight(pilot, app, "gan_mlp_digits")
        await wait_for(pilot, lambda: pane.config is not None, what="the recipe validated")
        app.query_one("#f-run-steps").value = ""
        await wait_for(pilot, lambda: app.query_one("#start", Button).disabled, what="Start off")
        await pilot.press("ctrl+s")  # was nothing at all: Start is off
        await wait_for(pilot, lambda: _errors(app), what="the refused start's toast")
        assert "run.steps" in _errors(app)[0] and not pane.starting


PATH = "/data/models/gpt2-finetuned"


async def test_a_model_path_reads_whole_at_80x24_with_the_help_under_its_field(runs_dir):
    """At 80x24 each field shared its row with its help: 12 cells, so a model path read `/data/models`
    (tester6 G30). Narrow, the help goes under the field and the field takes the rest of the row;
    at 120x40 the help stays beside it."""
    user_recipe("zz_path", {"kind": "lm", "name": "zz_path", "model": {"pretrained": PATH}})
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(80, 24)) as pilot:
        await highlight(pilot, app, "zz_path")
        field = await wait_for(pilot, lambda: app.query("#f-model-pretrained") and app.query_one("#f-model-pretrained"),
                               what="the model path's field")
        field.focus()  # reachable: the form scrolls it into view
        help_line = app.query_one("#row-model-pretrained .help")
        await wait_for(pilot, lambda: PATH in screen_text(app), what=f"the whole path on screen: {field.size}")
        assert help_line.region.y > field.region.y and help_line.region.width > field.region.width
        assert field.region.right <= app.query_one("#form-holder").region.right  # nothing off to the right
        await pilot.resize_terminal(120, 40)
        await wait_for(pilot, lambda: help_line.region.y == field.region.y, what="the help beside the field again")
        assert help_line.region.x >= field.region.right
