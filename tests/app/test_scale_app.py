"""The Runs pane with a sweep and a queued run: positions, a sweep ranked and overlaid."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from textual.widgets import DataTable, Input

from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane
from aigc_tui.ui.widgets.loss_plot import LossPlot


def _run(root: Path, name: str, config: str, status: dict, best: float | None = None) -> None:
    folder = root / name
    for sub in ("checkpoints", "samples", "control"):
        (folder / sub).mkdir(parents=True)
    (folder / "config.toml").write_text(config)
    base = {"state": "finished", "host": "fixture-host", "device": "cpu (fp32)", "step": 100, "total_steps": 100,
            "started_at": FIXED_NOW - 600, "updated_at": FIXED_NOW - 60}
    (folder / "status.json").write_text(json.dumps(base | status))
    (folder / "metrics.jsonl").write_text("".join(
        json.dumps({"step": s, "time": FIXED_NOW, "loss_d": (best or 1.0) + 1 / s, "loss_g": 0.8}) + "\n"
        for s in range(10, 101, 10)))
    if best is not None:
        ckpt = folder / "checkpoints" / "step-00000100"
        ckpt.mkdir()
        (ckpt / "meta.json").write_text(json.dumps({"step": 100, "time": FIXED_NOW, "kind": "gan",
                                                    "metrics": {"loss_d": best}}))
        (ckpt / "model.safetensors").write_bytes(b"\0" * 64)


def _sweep_config(lr: float) -> str:
    return ('kind = "gan"\nname = "sw"\n[run]\nsteps = 100\nkeep_best = "loss_d"\nsweep = "sw-1"\n'
            f'sweep_keys = ["train.lr_g"]\n[train]\nlr_g = {lr}\n')


async def test_runs_pane_ranks_a_sweep_overlays_it_and_shows_queue_positions(tmp_path):
    root = tmp_path / "runs"
    for i, (lr, best) in enumerate([(1e-3, 0.9), (2e-3, 0.5), (5e-3, 0.7)]):
        _run(root, f"20260101-00000{i}-sw-{i}", _sweep_config(lr), {}, best)
    _run(root, "20260101-000009-waiting", 'kind = "gan"\nname = "waiting"\n',  # a live waiter: this test process
         {"state": "queued", "pid": os.getpid(), "pid_start": None, "host": socket.gethostname(), "step": 0,
          "queue_position": 2, "waiting_for": "gpu 0,1", "started_at": None})
    app = make_app(root, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 4, what="the runs table")
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(4)]
        assert "queued #2" in rows[0][2]  # the newest run waits second in line
        assert [r[0] for r in rows[1:]] == ["sw [1] lr_g=0.002", "sw [2] lr_g=0.005", "sw [3] lr_g=0.001"]

        pane = app.query_one(RunsPane)
        await pilot.press("down")
        await wait_for(pilot, lambda: pane.selected.endswith("sw-1"), what="the sweep's best run")
        await pilot.press("g")
        plot = app.query_one("#loss-plot", LossPlot)
        await wait_for(pilot, lambda: len(plot.series) == 3, what="the sweep overlaid")
        assert pane.compare == {"20260101-000000-sw-0", "20260101-000002-sw-2"}
        # compared one metric at a time, a colour per run, the shared name said once: every run is
        # named in the two-line legend and read in the cursor line (at 120x40 only the selected
        # run's "name:metric" entries fitted, the others were "+4 more")
        assert [s.label for s in plot.series] == ["lr_g=0.002", "lr_g=0.001", "lr_g=0.005"]
        assert len({s.color for s in plot.series}) == 3
        legend, readout = (str(app.query_one(f"#plot-{w}").render()) for w in ("legend", "readout"))
        assert "sw · loss_d (1/2 M):" in legend and "more" not in legend, legend
        assert all(v in legend for v in ("lr_g=0.002", "lr_g=0.001", "lr_g=0.005")), legend
        assert readout.startswith("step 100 0:00 loss_d"), readout  # the metric once, then a value per run
        assert all(v in readout for v in ("lr_g=0.002 0.51", "lr_g=0.001 0.91", "lr_g=0.005 0.71")), readout
        await pilot.press("M")  # the next picked metric, compared the same way
        await wait_for(pilot, lambda: "sw · loss_g (2/2 M):" in str(app.query_one("#plot-legend").render()),
                       what="loss_g compared")
        assert len(plot.series) == 3 and "loss_g" in str(app.query_one("#plot-readout").render())
        assert "sw lr_g=0.002" in str(app.query_one("#run-header").render())  # the header says what it varied
        await pilot.press("g")  # again: back to the run alone
        await wait_for(pilot, lambda: not pane.compare, what="the overlay off")
        app.query_one("#runs-filter", Input).value = "lr_g=0.005"  # what the name column shows (tester6 G23)
        await wait_for(pilot, lambda: table.row_count == 1, what="the filtered sweep run")
        assert str(table.get_row_at(0)[0]) == "sw [2] lr_g=0.005"


async def test_a_sweep_rank_is_not_a_tag_and_a_run_without_its_metric_is_unranked(tmp_path):
    """tester7 H17: `#1` was a sweep rank or a tag `1`, and a run still starting was ranked #1."""
    root = tmp_path / "runs"
    _run(root, "20260101-000000-sw-0", _sweep_config(1e-3), {}, 0.9)
    _run(root, "20260101-000001-sw-1", _sweep_config(2e-3), {}, None)  # no checkpoint metric yet
    app = make_app(root, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 2, what="the runs table")
        assert [str(table.get_row_at(i)[0]) for i in range(2)] == ["sw [1] lr_g=0.001", "sw [-] lr_g=0.002"]


async def test_launch_picks_several_gpus_for_one_run(tmp_path, monkeypatch):
    from textual.widgets import SelectionList

    from aigc_tui.launch.devices import GpuInfo
    from aigc_tui.runs.queue import request_for, try_acquire
    from aigc_tui.ui.panes import launch
    from aigc_tui.ui.panes.launch import LaunchPane

    root = tmp_path / "runs"
    held = try_acquire(root, request_for("1", available=[0, 1, 2]), "someone-else")  # another run holds GPU 1
    gpus = [GpuInfo(i, "H200", 1.0, 141.0, 0) for i in range(3)]  # NVML's answer on a 3-GPU box
    monkeypatch.setattr(launch, "list_gpus", lambda: gpus)
    app = make_app(root, initial_tab="launch")
    async with app.run_test(size=(140, 40)) as pilot:
        picker = app.query_one("#gpus", SelectionList)
        await wait_for(pilot, lambda: picker.option_count == 3 and picker.display, what="the GPU picker")
        assert "held by someone-else" in str(picker.get_option_at_index(1).prompt)
        await wait_for(pilot, lambda: app.query_one(LaunchPane).config is not None, what="the default recipe")
        picker.select(0)
        picker.select(2)
        config = app.query_one(LaunchPane)._final_config()
        assert config.run.gpus == "0,2" and config.run.device == "cuda"
    held.release()
