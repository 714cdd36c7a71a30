"""While a dialog is open, the pane keys 1-4 leave the panes behind it alone: the dialog keeps the keyboard.
alt+1..alt+4 are ESC and a digit to the terminal: Esc (the dialog closes as Esc closes it, nothing done),
then the pane (tester9 F2: a fast `Esc 3` lost both keys)."""

from __future__ import annotations

import pytest
from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from test_housekeeping_app import GAN, _open
from test_image_view import make_gan_run, open_view
from textual.screen import ModalScreen
from textual.widgets import Input, TabbedContent

from aigc_tui.ui.app import make_app
from aigc_tui.ui.image_screen import ImageScreen


@pytest.mark.parametrize("key", ["d", "n", "question_mark"], ids=["delete-confirm", "notes", "help"])
async def test_pane_keys_do_nothing_behind_an_open_dialog(fixture_runs, key):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, app, GAN)
        tabs = app.query_one(TabbedContent)
        await pilot.press(key)
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ModalScreen) and app.screen, what="the dialog")
        await pilot.pause()
        focused = app.focused
        assert focused is None or focused.screen is dialog
        typed = focused.value if isinstance(focused, Input) else None
        await pilot.press("3", "1", "4")
        await pilot.pause()
        assert app.screen is dialog and tabs.active == "runs", "a pane key reached the panes behind the dialog"
        assert not app.query("CheckpointsPane") and not app.query("LaunchPane") and not app.query("GeneratePane")
        assert app.focused is focused  # the dialog kept the keyboard
        if typed is not None:  # a field in the dialog typed the digits
            assert focused.value == typed + "314"
        runs = sorted(p.name for p in fixture_runs.iterdir())
        await pilot.press("alt+3")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1 and tabs.active == "checkpoints",
                       what="the dialog closed and Checkpoints shown")
        assert sorted(p.name for p in fixture_runs.iterdir()) == runs and not list(fixture_runs.glob("*/notes.json"))


async def test_alt_n_on_the_full_screen_grid_leaves_it_for_that_pane_like_n(tmp_path):
    make_gan_run(tmp_path / "runs")
    app = make_app(tmp_path / "runs", clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_view(pilot, app)
        await pilot.press("alt+3")
        await wait_for(pilot, lambda: app.query_one(TabbedContent).active == "checkpoints", what="Checkpoints")
        assert app.screen is not view and not isinstance(app.screen, ImageScreen)
