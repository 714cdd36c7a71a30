"""The installed code changing under a running app (git pull, pip upgrade) makes a lazy import fail:
one line telling the user to restart, and the app stays up (tester6 G11)."""

from __future__ import annotations

from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from textual.widgets import TabbedContent

from aigc_tui.ui.app import UPDATED, AigcApp, make_app


def _stale_import(*_args) -> None:
    raise ImportError("cannot import name 'datasets_dir' from 'aigc_tui.paths'")


def _told(app) -> bool:
    return any(n.message == UPDATED for n in app._notifications)


async def test_an_action_whose_import_fails_says_restart_and_the_app_stays_up(fixture_runs, monkeypatch):
    monkeypatch.setattr(AigcApp, "action_help", _stale_import)
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: _told(app), timeout=20, what="the restart line")
        await pilot.press("4")  # still running: keys still work
        await wait_for(pilot, lambda: app.query_one(TabbedContent).active == "generate", timeout=20,
                       what="Generate after the failed action")
        assert app.is_running and app._exception is None


async def test_a_worker_whose_import_fails_says_restart_and_the_app_stays_up(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        app.run_worker(_stale_import, thread=True)
        await wait_for(pilot, lambda: _told(app), timeout=20, what="the restart line")
        await pilot.press("4")
        await wait_for(pilot, lambda: app.query_one(TabbedContent).active == "generate", timeout=20,
                       what="Generate after the failed worker")
        assert app.is_running and app._exception is None
