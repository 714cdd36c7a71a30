"""D16: the run the monitor shows is deleted or archived outside the app (`aigc-tui rm` in
another terminal): the monitor moves to the row that took its place, or says nothing is left."""

from __future__ import annotations

from fixture_runs import FIXED_NOW
from test_housekeeping_app import FAILED, GAN, LM, _open, notified, row_keys, wait_for
from textual.widgets import Static

from aigc_tui.runs.housekeeping import archive_run, delete_run
from aigc_tui.runs.store import Run
from aigc_tui.ui.app import make_app
from aigc_tui.ui.image_screen import ImageScreen


def header(app) -> str:
    return str(app.query_one("#run-header", Static).render())


async def test_monitor_follows_the_table_when_the_shown_run_is_deleted_elsewhere(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _open(pilot, app, LM)
        index = row_keys(app).index(LM)
        delete_run(Run(fixture_runs / LM))  # what `aigc-tui rm` does
        pane.refresh_rows()  # the next poll
        await wait_for(pilot, lambda: LM not in row_keys(app), what="the row to go")
        now = row_keys(app)[min(index, len(row_keys(app)) - 1)]
        await wait_for(pilot, lambda: pane.selected == now, what="the next row selected")
        assert pane.monitor.data.row.id == now and "fixture-lm" not in header(app)
        assert app.query_one("#run-monitor").query_one("#monitor").display

        await pilot.press("v")  # the grid view is of the run now shown, not the deleted one
        await wait_for(pilot, lambda: isinstance(app.screen, ImageScreen), what="the grid view")
        assert "fixture-lm" not in app.screen.title_text
        await pilot.press("escape")


async def test_monitor_says_so_when_the_last_run_goes(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _open(pilot, app, GAN)
        for run_id in (FAILED, LM):
            delete_run(Run(fixture_runs / run_id))
        archive_run(Run(fixture_runs / GAN))  # the shown one, archived elsewhere
        pane.refresh_rows()
        await wait_for(pilot, lambda: not row_keys(app), what="an empty table")
        await wait_for(pilot, lambda: "No runs yet" in header(app), what="the empty state")
        assert pane.selected is None and pane.monitor.data is None
        assert not app.query_one("#run-monitor").query_one("#monitor").display
        await pilot.press("v")  # no grid view of a run that is gone
        await wait_for(pilot, lambda: notified(app, "no run selected"), what="the refusal")
        assert not isinstance(app.screen, ImageScreen)
        app.clear_notifications()
        await pilot.press("d")
        await wait_for(pilot, lambda: notified(app, "no run selected"), what="the refusal")
