"""Snapshots of the pretrain-then-fine-tune views at 120x40 and 80x24 over fixture runs: a
classifier's lineage and confusion matrix in Runs, the encoder view in Generate, the fork dialog.

The helper's answers (probabilities, filled masks) are the events it sends, fed to the view
as the app's reader thread would; the helper itself is tested in tests/integration."""

from __future__ import annotations

import pytest
from fixture_runs import FIXED_NOW, make_encoder_fixture_runs
from pilot_wait import settle as _settle
from test_snapshots import SIZE, SMALL
from textual.widgets import DataTable, Select, Tree

from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane
from aigc_tui.ui.widgets.encoder_view import EncoderView
from aigc_tui.ui.widgets.loss_plot import LossPlot

SIZES = pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])


@pytest.fixture
def encoder_fixture_runs(tmp_path):
    return make_encoder_fixture_runs(tmp_path / "encoder-runs")


@SIZES
def test_runs_pane_shows_a_classifiers_parent_and_confusion_matrix(snap_compare, encoder_fixture_runs, size):
    app = make_app(encoder_fixture_runs, clock=lambda: FIXED_NOW)

    async def before(pilot):
        await _settle(pilot, lambda: app.query_one(DataTable).row_count == 2)
        pane = app.query_one(RunsPane)
        plot = app.query_one(LossPlot)
        await _settle(pilot, lambda: pane.selected and "classify" in pane.selected
                      and "baseline" in str(app.query_one("#sample-text").render())
                      and "fine-tune" in str(app.query_one("#run-header").render())  # the lineage line
                      and app.query_one("#run-header").size.height >= 2  # ... laid out (a busy box lags)
                      and plot.series and len(plot.series[0].steps) > 0)  # the tail polls every 0.5 s

    assert snap_compare(app, terminal_size=size, run_before=before)


async def _show_encoder(pilot, app, run_name: str, event: dict) -> None:
    """Pick the run's checkpoint in Generate and show the helper's answer `event`."""
    pane = app.query_one("GeneratePane")
    await _settle(pilot, lambda: len(pane.kinds) == 2)
    path = next(p for p in pane.kinds if run_name in p)
    app.query_one("#gen-model", Select).value = path
    view = app.query_one(EncoderView)
    await _settle(pilot, lambda: view.display and view.model == path)
    view.request = "r1"
    app._generation_event({"id": "r1", **event})
    await _settle(pilot, lambda: view.request is None)


@SIZES
def test_generate_shows_a_classifiers_label_probabilities(snap_compare, encoder_fixture_runs, size):
    app = make_app(encoder_fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")

    async def before(pilot):
        probs = [["asyncio", 0.81], ["logging", 0.11], ["email", 0.08]]
        await _show_encoder(pilot, app, "fixture-classify", {"event": "probs", "probs": probs})

    assert snap_compare(app, terminal_size=size, run_before=before)


@SIZES
def test_generate_fills_masks(snap_compare, encoder_fixture_runs, size):
    app = make_app(encoder_fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")

    async def before(pilot):
        guesses = [[{"token": "return", "prob": 0.62}, {"token": "yield", "prob": 0.2},
                    {"token": "[UNK]", "prob": 0.05}]]
        await _show_encoder(pilot, app, "fixture-mlm", {"event": "fill", "text": "The return statement returns a value.",
                                                        "guesses": guesses})

    assert snap_compare(app, terminal_size=size, run_before=before)


@SIZES
def test_fork_dialog(snap_compare, encoder_fixture_runs, size):
    app = make_app(encoder_fixture_runs, clock=lambda: FIXED_NOW, initial_tab="checkpoints")

    async def before(pilot):
        await _settle(pilot, lambda: len(app.query_one(Tree).root.children) == 2)
        await pilot.press("down", "down", "f")  # the classifier's checkpoint
        await _settle(pilot, lambda: app.screen.query("#fork-how"))

    assert snap_compare(app, terminal_size=size, run_before=before)


async def test_the_footer_names_what_ctrl_g_does_for_the_model_picked(encoder_fixture_runs):
    """Tester6 G23: the button read `Classify ^g` while the footer still said `^g Generate`."""
    from pilot_wait import wait_for
    from screen_text import screen_text

    app = make_app(encoder_fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one("GeneratePane")
        await wait_for(pilot, lambda: len(pane.kinds) == 2, what="the checkpoints")
        for run_name, label in (("fixture-classify", "Classify"), ("fixture-mlm", "Fill mask")):
            app.query_one("#gen-model", Select).value = next(p for p in pane.kinds if run_name in p)
            await wait_for(pilot, lambda label=label: f"^g {label}" in screen_text(app).splitlines()[-1],
                           what=f"^g {label} in the footer")
            assert "Generate" not in screen_text(app).splitlines()[-1]
