"""With no live run the Runs pane polls rarely and reads nothing while nothing changed on disk
(an idle app must cost under 1 % of a core, issue 9), yet what changes elsewhere still shows.
The UI thread sleeps meanwhile: a thread stats the files and wakes the pane when they change."""

from __future__ import annotations

import shutil

from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from screen_text import screen_text

from aigc_tui.runs.notes import write_notes
from aigc_tui.ui import run_stamps
from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes import runs as runs_module
from aigc_tui.ui.panes import runs_poll

GAN = "20260101-000000-fixture-gan-aaaa"


async def test_an_idle_table_reads_no_run_until_a_file_changes_then_shows_the_change(fixture_runs, monkeypatch):
    monkeypatch.setattr(runs_poll, "IDLE_POLL_S", 0.1)
    reads, stamps = [], []
    real_collect, real_stamp = runs_module.collect_rows, run_stamps.runs_stamp
    monkeypatch.setattr(runs_module, "collect_rows", lambda *a: reads.append(1) or real_collect(*a))
    monkeypatch.setattr(runs_poll, "runs_stamp", lambda *a: stamps.append(1) or real_stamp(*a))
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(runs_module.RunsPane)
        await wait_for(pilot, lambda: len(pane.rows) == 3 and pane.selected, timeout=30, what="the runs")
        assert not pane.polling_live
        polled = len(stamps)  # the selection's own read may still be on its way: two polls past it
        await wait_for(pilot, lambda: len(stamps) >= polled + 2, timeout=30, what="two idle polls")
        reads.clear()
        polled = len(stamps)
        await wait_for(pilot, lambda: len(stamps) >= polled + 5, timeout=30, what="five idle polls")
        assert reads == [], "an idle poll re-read every run though no file had changed"

        write_notes(fixture_runs / GAN, tags=["keeper"])  # `aigc-tui tag` in another terminal
        await wait_for(pilot, lambda: "#keeper" in screen_text(app), timeout=30, what="the tag set elsewhere")
        shutil.copytree(fixture_runs / GAN, fixture_runs / "20260102-000000-copied-dddd")
        await wait_for(pilot, lambda: len(pane.rows) == 4, timeout=30, what="a run that appeared elsewhere")
