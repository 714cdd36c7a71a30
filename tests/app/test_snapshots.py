"""Snapshots of each pane at 120x40 and 80x24 over fixture runs (fixed data, frozen clock, half-cell images)."""

from __future__ import annotations

import pytest
from fixture_runs import FIXED_NOW
from pilot_wait import settle as _settle
from textual.widgets import DataTable, Tree

from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane
from aigc_tui.ui.widgets.loss_plot import LossPlot

SIZE = (120, 40)
SMALL = (80, 24)  # the smallest terminal the app is made for


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_runs_pane(snap_compare, fixture_runs, size):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)

    async def before(pilot):
        await _settle(pilot, lambda: app.query_one(DataTable).row_count == 3)
        await pilot.press("down", "down")
        pane = app.query_one(RunsPane)
        await _settle(pilot, lambda: pane.selected and "gan" in pane.selected and app.query_one("#loss-plot", LossPlot).series)

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_launch_pane(snap_compare, fixture_runs, size):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="launch")

    async def before(pilot):
        await _settle(pilot, lambda: app.query("#f-train-lr_g"))

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_checkpoints_pane(snap_compare, fixture_runs, size):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="checkpoints")

    async def before(pilot):
        tree = app.query_one(Tree)
        await _settle(pilot, lambda: len(tree.root.children) == 2)  # the failed run has no checkpoint
        await pilot.press("down", "down")  # into the LM run's checkpoint

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_generate_pane(snap_compare, fixture_runs, size):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")

    async def before(pilot):
        await _settle(pilot, lambda: not app.query_one("#gen-model").is_blank())

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_help_screen(snap_compare, fixture_runs, size):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    assert snap_compare(app, terminal_size=size, press=["question_mark"])
