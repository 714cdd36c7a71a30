"""Housekeeping in the app, driven by Pilot: delete, archive, tags and note, config diff."""

from __future__ import annotations

import json
import os
import socket

import pytest
from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from textual.widgets import DataTable, Input, OptionList, Static

from aigc_tui.runs import list_runs
from aigc_tui.runs.housekeeping import archived_runs
from aigc_tui.runs.notes import read_notes
from aigc_tui.ui.app import make_app
from aigc_tui.ui.confirm import ConfirmScreen
from aigc_tui.ui.diff_screen import DiffScreen, PickRunScreen
from aigc_tui.ui.notes_screen import NotesScreen
from aigc_tui.ui.panes.runs import RunsPane

GAN = "20260101-000000-fixture-gan-aaaa"
LM = "20260101-000100-fixture-lm-bbbb"
FAILED = "20260101-000200-fixture-failed-cccc"


def row_keys(app) -> list[str]:
    return [str(k.value) for k in app.query_one(DataTable).rows]


def name_cell(app, run_id: str) -> str:
    return str(app.query_one(DataTable).get_row(run_id)[0])


def notified(app, text: str) -> bool:
    return any(text in str(n.message) for n in app._notifications)


async def _open(pilot, app, select: str = FAILED) -> RunsPane:
    await wait_for(pilot, lambda: len(row_keys(app)) >= 3, what="the runs table")
    pane = app.query_one(RunsPane)
    pane.select(select)
    await wait_for(pilot, lambda: pane.selected == select, what="the run selected")
    return pane


async def test_delete_asks_then_removes_the_row_and_the_directory(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, app, FAILED)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm dialog")
        await pilot.press("n")  # keep: nothing changes
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert FAILED in row_keys(app) and (fixture_runs / FAILED).is_dir()
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: FAILED not in row_keys(app), what="the row gone")
        assert not (fixture_runs / FAILED).exists() and len(list_runs(fixture_runs)) == 2
        assert notified(app, "deleted fixture-failed")
        await wait_for(pilot, lambda: app.query_one(RunsPane).selected in (GAN, LM), what="another run selected")


async def test_after_a_delete_the_cursor_is_on_the_next_row_not_the_top(fixture_runs):
    """Tester6 G23: after `d` the cursor went back to the top row, so deleting several runs
    in a row meant finding the place again each time."""
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _open(pilot, app, LM)
        assert row_keys(app) == [FAILED, LM, GAN]
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: LM not in row_keys(app) and pane.selected is not None, what="the row gone")
        assert pane.selected == GAN and app.query_one(DataTable).cursor_row == row_keys(app).index(GAN)


@pytest.mark.parametrize("where", ["here", "elsewhere"])
async def test_a_running_run_is_refused_with_its_name_and_state(fixture_runs, where):
    """A live run is never deleted or archived; one on another host also names the way out."""
    live = fixture_runs / "20260101-000300-fixture-live-dddd"
    (live / "checkpoints").mkdir(parents=True)
    (live / "config.toml").write_text('kind = "gan"\nname = "fixture-live"\n')
    pid, host = (os.getpid(), socket.gethostname()) if where == "here" else (4242, "another-host")
    (live / "status.json").write_text(json.dumps({"state": "running", "pid": pid, "host": host,
                                                  "step": 5, "total_steps": 100, "started_at": FIXED_NOW - 60,
                                                  "updated_at": FIXED_NOW}))
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(row_keys(app)) == 4, what="the runs table")
        await _open(pilot, app, live.name)
        for key in ("d", "a"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmScreen)
        if where == "here":
            assert notified(app, f"run {live.name} is running (pid {pid}); stop it first")
        else:
            assert notified(app, f"run {live.name} is running (pid 4242 on another-host")
            assert notified(app, f"aigc-tui stop --force {live.name}")
        assert live.is_dir() and live.name in row_keys(app)


async def test_archive_hides_the_run_and_a_on_the_archived_one_brings_it_back(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, app, LM)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: LM not in row_keys(app), what="the row hidden")
        assert [r.id for r in archived_runs(fixture_runs)] == [LM]
        await pilot.press("A")
        await wait_for(pilot, lambda: LM in row_keys(app), what="archived runs shown")
        assert "archived" in str(app.query_one(DataTable).get_row(LM)[2])
        await _open(pilot, app, LM)
        await pilot.press("a")  # no question: restoring loses nothing
        await wait_for(pilot, lambda: LM in [r.id for r in list_runs(fixture_runs)], what="unarchived")
        await pilot.press("A")
        await wait_for(pilot, lambda: "archived" not in str(app.query_one(DataTable).get_row(LM)[2]))


async def test_tag_modal_sets_a_tag_shown_in_the_table_and_the_note_in_the_monitor(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, app, GAN)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NotesScreen), what="the tags modal")
        await pilot.press(*"bad,tag two")
        await pilot.press("tab", *"clean digits")
        await pilot.press("escape")  # cancel: nothing written
        await wait_for(pilot, lambda: not isinstance(app.screen, NotesScreen))
        assert read_notes(fixture_runs / GAN).tags == []
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NotesScreen))
        tags = app.screen.query_one("#notes-tags", Input)
        tags.value = "x" * 40
        await pilot.press("enter")  # a bad tag is said inline; the modal stays
        assert "at most 32" in str(app.screen.query_one("#notes-error", Static).render())
        tags.value = "best baseline"
        await pilot.press("tab", *"clean digits", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, NotesScreen))
        assert read_notes(fixture_runs / GAN).tags == ["best", "baseline"]
        await wait_for(pilot, lambda: "#best #baseline" in name_cell(app, GAN), what="tags in the table")
        await wait_for(pilot, lambda: "clean digits" in str(app.query_one("#run-header", Static).render()))
        await pilot.press("slash", *"#best")
        await wait_for(pilot, lambda: row_keys(app) == [GAN], what="the filter by tag")


async def test_diff_modal_lists_a_changed_key(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _open(pilot, app, GAN)
        await pilot.press("D")  # nothing marked: pick the other run from a list
        await wait_for(pilot, lambda: isinstance(app.screen, PickRunScreen), what="the run list")
        options = app.screen.query_one(OptionList)
        options.highlighted = [options.get_option_at_index(i).id for i in range(options.option_count)].index(LM)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen), what="the diff")
        table = app.screen.query_one(DataTable)
        rows = {str(table.get_row_at(i)[0]): table.get_row_at(i)[1:] for i in range(table.row_count)}
        assert rows["kind"] == ['"gan"', '"lm"'] and rows["run.keep_best"] == ["(unset)", '"val_loss"']
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, DiffScreen))
        pane.select(FAILED)
        await pilot.press("space")  # mark it (the plot's compare mark): diffed at once
        assert pane.compare == {FAILED}
        pane.select(GAN)
        await wait_for(pilot, lambda: pane.selected == GAN)
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen))
        table = app.screen.query_one(DataTable)
        assert "data.image_size" in [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_a_filter_that_matches_no_run_selects_none_and_keys_act_on_nothing(fixture_runs):
    """The monitor kept showing the last run, and x / d / r / k acted on it, with the table empty."""
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(RunsPane)
        await _open(pilot, app, GAN)
        await pilot.press("space")  # a mark: still in force when the filter lets the runs back
        await pilot.press("slash", *"nothing-like-this", "enter")
        header = app.query_one("#run-header", Static)
        await wait_for(pilot, lambda: "no run matches the filter" in str(header.render()), what="no run selected")
        assert row_keys(app) == [] and pane.selected is None and pane.current is None
        assert "No run selected" in str(header.render())
        for key in ("x", "d", "r", "k", "n"):
            app._notifications.clear()
            await pilot.press(key)
            await wait_for(pilot, lambda: any("no run selected" in str(n.message) for n in app._notifications),
                           what=f"{key}: says no run is selected")
            assert app.screen is app.screen_stack[0] and app.query_one("TabbedContent").active == "runs"
        app.query_one("#runs-filter", Input).value = ""  # the rows again: the run shown before comes back
        await wait_for(pilot, lambda: pane.selected == GAN and "fixture-gan" in str(header.render()),
                       what="the run again")
        assert pane.compare == {GAN} and set(pane.monitor.compare) == {GAN}  # the mark still overlaid


async def test_a_run_no_worker_claimed_stops_and_deletes_from_the_app(fixture_runs):
    """tester6 F17b: queued with no pid (its launcher was killed before it started a worker):
    `x` used to ask a worker that never comes, and `d` refused it as queued."""
    from aigc_tui.runs import RunState, create_run

    run = create_run(fixture_runs, 'kind = "gan"\nname = "orphan"\n[run]\nsteps = 20\n', "orphan")
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: run.id in row_keys(app), what="the orphan's row")
        await _open(pilot, app, run.id)
        await pilot.press("x")
        await wait_for(pilot, lambda: notified(app, "stopped orphan: no worker had started it"), what="the stop")
        assert run.status().state is RunState.STOPPED
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: run.id not in row_keys(app), what="the row gone")
        assert not run.path.exists()


@pytest.mark.parametrize("key", ["a", "d"])
async def test_archiving_or_deleting_the_only_run_a_filter_shows_clears_the_monitor(fixture_runs, key):
    """tester8 I9: with `/` showing one run, `a` (or `d`) emptied the table but the monitor kept the
    run that had gone ("no loss logged yet", "could not read step-…png"), and `r` said no run selected."""
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _open(pilot, app, LM)
        await pilot.press("slash", *"fixture-lm", "escape")
        await wait_for(pilot, lambda: row_keys(app) == [LM], what="the filter showing one run")
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: row_keys(app) == [] and pane.monitor.data is None, what="the monitor cleared")
        header = str(app.query_one("#run-header", Static).render())
        verb = "archived" if key == "a" else "deleted"
        assert f"{verb} fixture-lm; no run matches the filter." in header, header
        assert not app.query_one("#run-monitor").query_one("#monitor").display


async def test_typing_in_the_tags_field_adds_to_the_tags_there(fixture_runs):
    """tester9 F7: the existing tags were selected on opening, so typing ` wip` replaced `best`."""
    from aigc_tui.runs.notes import write_notes

    write_notes(fixture_runs / GAN, tags=["best"], note="first try")
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, app, GAN)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NotesScreen), what="the tags modal")
        tags = app.screen.query_one("#notes-tags", Input)
        await wait_for(pilot, lambda: tags.has_focus, what="the tags field focused")
        await pilot.press(*" wip", "tab", *" again", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, NotesScreen), what="the modal saved")
        notes = read_notes(fixture_runs / GAN)
        assert notes.tags == ["best", "wip"] and notes.note == "first try again"
