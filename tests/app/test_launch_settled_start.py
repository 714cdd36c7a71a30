"""^s right after a move in the recipe list starts the recipe the list shows, all of it (kind, form and run
name): in one read with the move it started the recipe left behind; while the new recipe's form was being
built it started the new recipe under the old one's name (tester10 T7)."""

from __future__ import annotations

import tomllib

from pilot_wait import wait_for
from test_paste_guard import terminal_sends
from textual.widgets import OptionList

from aigc_tui.runs import list_runs
from aigc_tui.ui.app import make_app


def _started(runs_dir) -> list[dict]:
    return [tomllib.loads((run.path / "config.toml").read_text()) for run in list_runs(runs_dir)]


async def test_ctrl_s_right_after_a_move_starts_the_recipe_the_list_shows(runs_dir, monkeypatch):
    from aigc_tui.ui.panes import launch

    spawned: list[str] = []
    monkeypatch.setattr(launch, "spawn_worker", lambda run, new: spawned.append(run.id))  # no training here
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one("LaunchPane")
        recipes = app.query_one("#recipes", OptionList)
        await wait_for(pilot, lambda: pane._settled() and pane.config is not None and app.focused is recipes,
                       what="the default recipe's form, the list focused")
        assert recipes.highlighted_option.id.endswith("gan_mlp_digits.toml")
        terminal_sends(app, "\x1b[B\x13")  # Down and ^s in one read
        await wait_for(pilot, lambda: len(spawned) == 1, timeout=60, what="a run started")
        assert recipes.highlighted_option.id.endswith("lm_code_python_stdlib.toml")
        assert [(c["kind"], c["name"]) for c in _started(runs_dir)] == [("lm", "lm-code-stdlib")]

        await wait_for(pilot, lambda: app.query_one("TabbedContent").active == "runs", what="Runs shown")
        await pilot.press("1")
        await wait_for(pilot, lambda: app.focused is recipes and not pane.starting, what="Launch again")
        await pilot.press("up")  # back to the GAN: its form is being built when ^s comes
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(spawned) == 2, timeout=60, what="a second run started")
        assert sorted((c["kind"], c["name"]) for c in _started(runs_dir)) == [("gan", "mlp-gan-digits"),
                                                                              ("lm", "lm-code-stdlib")]
