"""At 80x24 the monitor's header never wraps: each of its lines is cut at the edge, so a finished
run with a note still leaves the plot its rows (accept8 J6: the header took 3 rows, the plot 3)."""

from __future__ import annotations

from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from textual.widgets import Static

from aigc_tui.runs.notes import write_notes
from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane
from aigc_tui.ui.widgets.loss_plot import LossPlot

GAN = "20260101-000000-fixture-gan-aaaa"


async def test_a_finished_runs_header_with_a_note_takes_one_row_a_line_at_80_columns(fixture_runs):
    write_notes(fixture_runs / GAN, tags=["keep"], note="first try, 300 steps")
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await wait_for(pilot, lambda: app.query(RunsPane) and app.query_one(RunsPane), what="Runs")
        await wait_for(pilot, lambda: GAN in pane.rows, what="the runs table")
        pane.select(GAN)
        header = app.query_one("#run-header", Static)
        await wait_for(pilot, lambda: "first try" in str(header.render()), what="the header with the note")
        await pilot.pause(0.3)
        lines = str(header.render()).splitlines()
        assert len(lines) == 2 and "took" in lines[0]  # the run's line (too long for 80 columns) and the note
        assert header.size.height == 2  # not wrapped onto a third row
        assert app.query_one(LossPlot).size.height >= 7  # the plot keeps its rows (6 with the header wrapped)
