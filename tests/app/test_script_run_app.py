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


async def test_nan_and_inf_from_a_tracked_script_and_an_import_are_marked_like_a_workers(runs_dir, monkeypatch,
                                                                                         tmp_path):
    """Our workers' NaN/inf steps draw red lines and a title warning; a script's or an imported
    TensorBoard log's were only gaps in the curve (tester6 G9)."""
    from test_plot_ui import open_gan

    from aigc_tui import track
    from aigc_tui.cli import main

    monkeypatch.setattr(track, "_current", None)
    monkeypatch.setattr(track, "_hook_exit", lambda run: None)  # this process is pytest's
    tracked = track.init(name="trk-nan", config={"lr": 1e-3})
    for s in range(40):
        tracked.log({"loss": float("nan") if s in (20, 21) else float("inf") if s == 30 else 1.0 / (s + 1)}, step=s)
    tracked.finish()
    names = ["trk-nan"]
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # the aigc-tui[tensorboard] extra is not installed
        SummaryWriter = None
    if SummaryWriter is not None:
        with SummaryWriter(str(tmp_path / "logs" / "tb-nan")) as writer:
            for s in range(10):
                writer.add_scalar("loss", float("nan") if s in (4, 9) else 1.0 / (s + 1), s)
        assert main(["import-tb", str(tmp_path / "logs"), "--runs-dir", str(runs_dir)]) == 0
        names.append("logs/tb-nan")
    app = make_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        for name, count in zip(names, (3, 2), strict=False):
            await open_gan(pilot, app, name)
            await wait_for(pilot, lambda count=count: f"! non-finite at {count} log points" in text_of(app, "#plot-legend"),
                           what=f"{name}'s non-finite steps marked")


async def test_x_on_an_unsupervised_script_run_keeps_the_app_responsive_while_it_waits(tmp_path, runs_dir,
                                                                                       monkeypatch):
    """tester7 H4: `x` on a script run whose supervisor died signals its command and waits for it to end;
    that wait held the UI thread (up to 1.5 s). Now a key is handled while the stop waits, and the toast and
    the run's stopped state come when it is done."""
    import os
    import signal
    import threading

    from helpers import wait_for as wait_here

    from aigc_tui.runs import stopping
    from aigc_tui.runs.status import pid_alive

    out = subprocess.run([sys.executable, "-m", "aigc_tui", "run", "--runs-dir", str(runs_dir), "--",
                          sys.executable, "-c", "import time; print('hello', flush=True); time.sleep(120)"],
                         capture_output=True, text=True, env=cli_env(), cwd=tmp_path, timeout=120, check=True).stdout
    run = find_run(runs_dir, out.split()[1])
    wait_here(lambda: "hello" in run.log_path.read_text() and run.status().supervisor_pid, what="the command")
    status = run.status()
    os.kill(status.supervisor_pid, signal.SIGKILL)
    wait_here(lambda: not pid_alive(status.supervisor_pid), what="the supervisor to die")

    waiting, release, returned = threading.Event(), threading.Event(), threading.Event()
    ended_soon = stopping._ended_soon

    def held_wait(st):  # the stop's wait for the command to end, held until the test has pressed its key
        waiting.set()
        release.wait(timeout=60)  # (without the fix the UI thread is the one held: this frees it)
        try:
            return ended_soon(st)
        finally:
            returned.set()

    monkeypatch.setattr(stopping, "_ended_soon", held_wait)
    app = make_app(runs_dir)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            pane = app.query_one(RunsPane)
            await wait_for(pilot, lambda: pane.selected == run.id, what="the run selected")
            await wait_for(pilot, lambda: "unsupervised" in text_of(app, "#run-header"), what="unsupervised")
            await pilot.press("x")
            await wait_for(pilot, waiting.is_set, what="the stop to wait for the command")
            await pilot.press("3")  # handled while the stop waits
            await wait_for(pilot, lambda: app.query_one("TabbedContent").active == "checkpoints", what="3")
            assert not returned.is_set(), "the key was handled only after the stop's wait"
            release.set()
            await wait_for(pilot, lambda: any("and it ended: the run is stopped" in str(n.message)
                                              for n in app._notifications), what="the stop's toast")
            assert run.status().state is RunState.STOPPED
            await pilot.press("2")
            await wait_for(pilot, lambda: "stopped" in text_of(app, "#run-header"), what="the header to say so")
    finally:
        release.set()
        if pid_alive(status.pid):
            os.killpg(status.pid, signal.SIGKILL)
