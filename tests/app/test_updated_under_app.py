"""The installed code changing under a running app (git pull, pip upgrade) makes a lazy import fail:
one line telling the user to restart, and the app stays up (tester6 G11)."""

from __future__ import annotations

from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from textual.widgets import TabbedContent

from aigc_tui.ui.app import AigcApp, make_app
from aigc_tui.ui.pane_holder import UPDATED, build_pane


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


def _stale_pane(tab, runs_dir, build_pane=build_pane):
    if tab == "checkpoints":  # its module imported for the first time, against the old ones loaded
        raise ImportError("cannot import name 'told_apart' from 'aigc_tui.ui.ckpt_label'")
    return build_pane(tab, runs_dir)


async def test_a_pane_whose_module_fails_to_import_when_first_shown_says_restart(fixture_runs, monkeypatch):
    import aigc_tui.ui.pane_holder as holder_module

    monkeypatch.setattr(holder_module, "build_pane", _stale_pane)
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")  # the tab's first showing builds its pane
        await wait_for(pilot, lambda: _told(app), timeout=20, what="the restart line")
        await pilot.press("4")
        await wait_for(pilot, lambda: app.query("GeneratePane"), timeout=20, what="Generate built after it")
        await pilot.press("escape", "2")  # out of Generate's prompt, to Runs
        await wait_for(pilot, lambda: app.query_one(TabbedContent).active == "runs", timeout=20, what="Runs")
        await pilot.press("k")  # the run's checkpoints, in the pane that cannot be built: the same line again
        await wait_for(pilot, lambda: sum(n.message == UPDATED for n in app._notifications) >= 2, timeout=20,
                       what="the restart line for k")
        assert app.is_running and app._exception is None



def _compose_fails(times: list[int], failures: int):
    """CheckpointsPane.compose failing `failures` times (a lazy import inside it), then composing as usual."""
    from aigc_tui.ui.panes.checkpoints import CheckpointsPane

    compose = CheckpointsPane.compose

    def stale_compose(self):
        times.append(1)
        if len(times) <= failures:
            raise ImportError("cannot import name 'told_apart' from 'aigc_tui.ui.ckpt_label'")
        yield from compose(self)

    return stale_compose


async def _shown_and_told(pilot, app, told: int) -> None:
    await wait_for(pilot, lambda: sum(n.message == UPDATED for n in app._notifications) >= told, timeout=20,
                   what=f"the restart line ({told})")
    holder = app.query_one(TabbedContent).get_pane("checkpoints")
    await wait_for(pilot, lambda: not holder.children, timeout=20, what="the half-built pane removed")


async def test_a_pane_whose_compose_fails_to_import_is_removed_and_built_afresh_when_shown_again(
        fixture_runs, monkeypatch):
    from aigc_tui.ui.panes.checkpoints import CheckpointsPane

    composed: list[int] = []
    monkeypatch.setattr(CheckpointsPane, "compose", _compose_fails(composed, failures=2))
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")  # first showing: its compose fails
        await _shown_and_told(pilot, app, 1)
        await pilot.press("2")  # the rest of the app works
        await wait_for(pilot, lambda: app.query_one(TabbedContent).active == "runs", timeout=20, what="Runs")
        await pilot.press("3")  # shown again: built afresh, fails again: the same one line
        await _shown_and_told(pilot, app, 2)
        assert len(composed) == 2
        await pilot.press("3")  # on the tab already: 3 tries again, and this time it builds
        await wait_for(pilot, lambda: app.query("#ckpt-tree"), timeout=20, what="the Checkpoints tree")
        await wait_for(pilot, lambda: app.focused is app.query_one("#ckpt-tree"), timeout=20, what="the tree focused")
        assert len(composed) == 3 and len(app.query("CheckpointsPane")) == 1
        assert sum(n.message == UPDATED for n in app._notifications) == 2
        assert app.is_running and app._exception is None


async def test_the_first_tabs_pane_whose_compose_fails_to_import_leaves_the_app_up(fixture_runs, monkeypatch):
    from aigc_tui.ui.panes.checkpoints import CheckpointsPane

    composed: list[int] = []
    monkeypatch.setattr(CheckpointsPane, "compose", _compose_fails(composed, failures=1))
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="checkpoints")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: _told(app), timeout=20, what="the restart line")
        await pilot.press("2")
        await wait_for(pilot, lambda: app.query_one(TabbedContent).active == "runs", timeout=20, what="Runs")
        await pilot.press("3")  # (its tab's first announcement may have rebuilt it already)
        await wait_for(pilot, lambda: app.query("#ckpt-tree"), timeout=20, what="the Checkpoints tree")
        assert len(app.query("CheckpointsPane")) == 1 and app.is_running and app._exception is None


async def _poll(predicate, what: str) -> None:
    """wait_for without Pilot's pause: that waits for every widget's queue, and a pane whose message loop
    stopped on the error never empties its own (until the pane is removed)."""
    import asyncio
    import time

    deadline = time.monotonic() + 20
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_a_built_pane_whose_handler_fails_to_import_is_removed_and_its_key_builds_it_again(fixture_runs):
    from aigc_tui.ui.panes.runs import RunsPane

    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.focused is app.query_one("#runs-table"), timeout=20, what="the table")
        app.query_one(RunsPane).call_later(_stale_import)  # a handler in the pane's own message loop
        holder = app.query_one(TabbedContent).get_pane("runs")
        await _poll(lambda: _told(app) and not holder.children, "the restart line and the pane removed")
        await pilot.press("2")  # keys reach the app again (the focus was left on the removed table)
        await wait_for(pilot, lambda: app.query("#runs-table"), timeout=20, what="the Runs pane built again")
        assert app.is_running and app._exception is None


async def test_a_late_callback_of_a_removed_panes_widget_failing_leaves_the_app_up(fixture_runs):
    """A removed widget has no parent, so its error could not be traced to the broken pane: the app ended
    (a resize's call_after_refresh of the old RunMonitor, after the restart line), and 2 did nothing."""
    from aigc_tui.ui.panes.runs import RunsPane

    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.focused is app.query_one("#runs-table"), timeout=20, what="the table")
        old = app.query_one("#run-monitor")
        app.query_one(RunsPane).call_later(_stale_import)
        holder = app.query_one(TabbedContent).get_pane("runs")
        await _poll(lambda: _told(app) and not holder.children and old.parent is None, "the pane removed")
        app.screen.call_after_refresh(lambda: old.query_one("#sample-image"))  # NoMatches: it has none now
        await pilot.press("2")
        await wait_for(pilot, lambda: app.query("#runs-table"), timeout=20, what="the Runs pane built again")
        assert app.is_running and app._exception is None
