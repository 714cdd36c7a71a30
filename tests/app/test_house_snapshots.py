"""Snapshots of the housekeeping modals at 80x24 (the smallest terminal the app is made for)."""

from __future__ import annotations

from fixture_runs import FIXED_NOW
from pilot_wait import settle as _settle
from textual.widgets import DataTable

from aigc_tui.runs.notes import write_notes
from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane

SMALL = (80, 24)
GAN = "20260101-000000-fixture-gan-aaaa"
LM = "20260101-000100-fixture-lm-bbbb"


def _snap(snap_compare, fixture_runs, keys, done, mark=None):
    write_notes(fixture_runs / GAN, tags=["best", "baseline"], note="clean digits after 400 steps")
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)

    async def before(pilot):
        await _settle(pilot, lambda: app.query_one(DataTable).row_count == 3)
        pane = app.query_one(RunsPane)
        pane.select(GAN)
        if mark:
            pane.compare = {mark}
        await _settle(pilot, lambda: pane.selected == GAN)
        await pilot.press(*keys)
        await _settle(pilot, lambda: done(app))

    return snap_compare(app, terminal_size=SMALL, run_before=before)


def test_delete_confirm(snap_compare, fixture_runs):
    assert _snap(snap_compare, fixture_runs, ["d"], lambda app: type(app.screen).__name__ == "ConfirmScreen")


def test_tags_and_note_modal(snap_compare, fixture_runs):
    assert _snap(snap_compare, fixture_runs, ["n"], lambda app: type(app.screen).__name__ == "NotesScreen")


def test_config_diff_modal(snap_compare, fixture_runs):
    assert _snap(snap_compare, fixture_runs, ["D"], lambda app: type(app.screen).__name__ == "DiffScreen", mark=LM)


def test_pick_run_for_diff(snap_compare, fixture_runs):
    assert _snap(snap_compare, fixture_runs, ["D"], lambda app: type(app.screen).__name__ == "PickRunScreen")
