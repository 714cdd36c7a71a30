"""D19: the full-screen grid view of a run with no grids (a failed run) says so in one line,
also before its first listing comes back and when another run's grid was shown just before."""

from __future__ import annotations

import threading
from pathlib import Path

from fixture_runs import FIXED_NOW
from test_housekeeping_app import FAILED, GAN, _open, wait_for
from textual.app import App
from textual.widgets import Static

from aigc_tui.ui.app import make_app
from aigc_tui.ui.image_screen import ImageScreen
from aigc_tui.ui.widgets.grid_image import GridImage


async def test_grid_view_of_a_failed_run_without_grids_says_none_yet(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _open(pilot, app, GAN)
        await wait_for(pilot, lambda: pane.monitor.monitor and pane.monitor.monitor.pngs, what="the GAN's grids")
        pane.select(FAILED)
        await wait_for(pilot, lambda: pane.monitor.monitor and pane.monitor.monitor.run_id == FAILED, what="the failed run")
        await pilot.press("v")
        screen = await wait_for(pilot, lambda: isinstance(app.screen, ImageScreen) and app.screen, what="the grid view")
        await wait_for(pilot, lambda: screen.query_one("#image-empty").display, what="the message")
        await pilot.pause()
        assert str(screen.query_one("#image-empty", Static).render()) == "no sample grids in fixture-failed yet"
        assert screen.query_one("#image-empty").region.height >= 1


async def test_the_message_shows_while_the_first_listing_is_still_on_its_way():
    """A slow listing (a loaded box, a big samples folder) used to leave the screen blank."""
    release = threading.Event()

    def slow_listing() -> list[Path]:
        release.wait(30)
        return []

    app = App()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = ImageScreen(slow_listing, "tester-seed3", empty="no sample grids in tester-seed3 yet")
        await app.push_screen(screen)
        await pilot.pause()
        try:
            assert screen.query_one("#image-empty").display and not screen.query_one(GridImage).display
            assert screen.query_one("#image-empty").region.height >= 1
        finally:
            release.set()
