"""Launch's Start checks the environment (data, model, devices: seconds for a classifier's labels)
off the UI thread: the pane says it is starting and keeps answering keys meanwhile."""

from __future__ import annotations

import threading

from pilot_wait import wait_for
from textual.widgets import Button, Input

from aigc_tui.runs import list_runs
from aigc_tui.ui.app import make_app


def _notified(app, text: str) -> bool:
    return any(text in str(n.message) for n in app._notifications)


async def test_start_checks_off_the_ui_thread_and_says_it_is_starting(runs_dir, tmp_path, monkeypatch):
    from aigc_tui.ui.panes import launch

    real, gates, entered = launch.new_run, [], threading.Event()

    def held_new_run(*args, **kwargs):
        """The real check, held until the test has pressed its keys (30 s only if it never lets go)."""
        gate = threading.Event()
        gates.append(gate)
        entered.set()
        gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(launch, "new_run", held_new_run)
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one("LaunchPane")
        start = app.query_one("#start", Button)
        await wait_for(pilot, lambda: app.query("#f-data-source"), what="the form")
        app.query_one("#f-data-source", Input).value = f"imagefolder:{tmp_path}/gone"
        await wait_for(pilot, lambda: pane.config is not None and "gone" in pane.config.data.source
                       and not start.disabled, what="the schema to accept the path")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "starting mlp-gan-digits: checking" in str(
            app.query_one("#launch-errors").render()), what="'starting' shown")
        await wait_for(pilot, entered.is_set, what="the check to start")
        assert start.disabled
        focused = app.focused
        await pilot.press("tab")  # the app answers while the check runs
        await wait_for(pilot, lambda: app.focused is not focused, what="tab answered during the check")
        await pilot.press("ctrl+s")  # a second Start while the first checks starts nothing more
        await pilot.pause()
        assert len(gates) == 1
        gates[-1].set()
        await wait_for(pilot, lambda: "does not exist" in str(app.query_one("#launch-errors").render()),
                       what="the check's error in the pane")
        assert _notified(app, "does not exist")
        assert not start.disabled  # fix it and start again
        assert list_runs(runs_dir) == [] and len(gates) == 1
        assert app.query_one("TabbedContent").active == "launch"
