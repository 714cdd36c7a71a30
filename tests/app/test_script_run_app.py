"""A script run in the app: listed, its metrics plotted, its command shown, `x` stops it."""

from __future__ import annotations

import subprocess
import sys

from helpers import REPO, cli_env
from pilot_wait import text_of, wait_for
from textual.widgets import DataTable

from aigc_tui.runs import RunState, find_run
from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane
from aigc_tui.ui.widgets.loss_plot import LossPlot


async def test_script_run_is_plotted_and_stopped_from_the_app(tmp_path, runs_dir):
    script = REPO / "tests" / "scripts" / "tracked_loop.py"
    out = subprocess.run([sys.executable, "-m", "aigc_tui", "run", "--runs-dir", str(runs_dir), "--",
                          sys.executable, str(script), "loop"], capture_output=True, text=True, env=cli_env(),
                         cwd=tmp_path, timeout=120, check=True).stdout
    run = find_run(runs_dir, out.split()[1])
    app = make_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="the runs table")
        pane = app.query_one(RunsPane)
        await wait_for(pilot, lambda: pane.selected == run.id, what="the run selected")
        plot = app.query_one("#loss-plot", LossPlot)
        await wait_for(pilot, lambda: [s.label for s in plot.series] == ["loss", "val_loss"], what="the loss plot")
        await wait_for(pilot, lambda: len(plot.series[0].steps) > 5, what="points to arrive")
        header = text_of(app, "#run-header")
        assert "script" in header and "tracked_loop.py loop" in header
        await wait_for(pilot, lambda: "running" in text_of(app, "#run-header"), what="running")
        await pilot.press("x")
        await wait_for(pilot, lambda: run.status().state is RunState.STOPPED, what="the run to stop")
        assert "after should_stop" in run.log_path.read_text()
        await wait_for(pilot, lambda: "stopped" in text_of(app, "#run-header"), what="the header to say so")
        await pilot.press("r")  # a script run explains why it cannot resume
        await pilot.pause()
        assert any("script run" in str(n.message) for n in app._notifications)
