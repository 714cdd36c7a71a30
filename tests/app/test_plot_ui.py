"""The Runs plot as a user sees it: the metric picker, log-y labels, the cursor readout, compare."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from fixture_runs import FIXED_NOW, make_fixture_runs
from pilot_wait import wait_for
from textual.widgets import DataTable, SelectionList, Static

from aigc_tui.ui.app import make_app
from aigc_tui.ui.metric_picker import MetricPicker
from aigc_tui.ui.panes.runs import RunsPane
from aigc_tui.ui.widgets.loss_plot import LossPlot

GAN_METRICS = ["d_fake", "d_real", "grad_norm_d", "images_per_s", "loss_d", "loss_g", "lr_g"]


def gan_record(step: int, scale: float = 1.0) -> dict:
    return {"step": step, "time": FIXED_NOW - 3000 + step * 1.5, "loss_d": scale * (0.05 + 2 / math.sqrt(step)),
            "loss_g": scale * (0.7 + step / 800), "d_real": 0.5 + step / 1000, "d_fake": 0.5 - step / 1000,
            "grad_norm_d": 3.0, "images_per_s": 2500.0, "lr_g": 2e-4, "nonfinite": 0}


def make_gan(root: Path, name: str, stamp: str, scale: float = 1.0) -> Path:
    run = root / f"20260102-{stamp}-{name}-dddd"
    for sub in ("checkpoints", "samples", "control"):
        (run / sub).mkdir(parents=True)
    (run / "config.toml").write_text(f'kind = "gan"\nname = "{name}"\n[run]\nsteps = 400\n')
    (run / "status.json").write_text(json.dumps({
        "state": "finished", "pid": None, "host": "fixture-host", "device": "cpu (fp32)", "step": 400,
        "total_steps": 400, "started_at": FIXED_NOW - 3000, "updated_at": FIXED_NOW - 60, "ended_at": FIXED_NOW - 60}))
    with open(run / "metrics.jsonl", "w") as f:
        for step in range(10, 401, 10):
            f.write(json.dumps(gan_record(step, scale)) + "\n")
    return run


def text(app, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def plot_lines(app) -> list[str]:
    """The plot's rows as the screen shows them."""
    plot = app.query_one("#loss-plot", LossPlot)
    r = plot.region
    rows = [strip.text for strip in app.screen._compositor.render_strips()]
    return [row[r.x:r.x + r.width] for row in rows[r.y:r.y + r.height]]


async def open_gan(pilot, app, name: str) -> RunsPane:
    pane = app.query_one(RunsPane)
    table = app.query_one(DataTable)
    await wait_for(pilot, lambda: any(d.row.name == name for d in pane.rows.values()), what="the runs")
    target = next(r for r, d in pane.rows.items() if d.row.name == name)
    await wait_for(pilot, lambda: table.row_count == len(pane.rows), what="the table")
    keys = [str(k.value) for k in table.rows]
    moves = keys.index(target) - table.cursor_row
    await pilot.press(*(["down"] * moves if moves > 0 else ["up"] * -moves))
    await wait_for(pilot, lambda: pane.selected == target, what=f"{name} selected")
    await wait_for(pilot, lambda: app.query_one("#loss-plot", LossPlot).series, what="the plot")
    return pane


async def test_the_picker_lists_the_runs_metrics_and_plots_the_one_chosen(runs_dir):
    make_gan(runs_dir, "picky", "000000")
    app = make_app(runs_dir, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_gan(pilot, app, "picky")
        plot = app.query_one("#loss-plot", LossPlot)
        assert [s.label for s in plot.series] == ["loss_d", "loss_g"]  # the recipe's losses until picked
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MetricPicker), what="the picker")
        listed = app.screen.query_one(SelectionList)
        assert [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)] == GAN_METRICS
        assert listed.selected == ["loss_d", "loss_g"]
        # d_real is 2nd; loss_d and loss_g 5th and 6th: tick one, untick two, by keyboard only
        await pilot.press("down", "space", "down", "down", "down", "space", "down", "space", "escape")
        await wait_for(pilot, lambda: [s.label for s in plot.series] == ["d_real"], what="d_real plotted")
        assert list(plot.series[0].values) == [gan_record(s)["d_real"] for s in range(10, 401, 10)]
        assert "━━ d_real" in text(app, "#plot-legend")
        assert app.settings.plot_metrics == {"gan": ["d_real"]}

    again = make_app(runs_dir, clock=lambda: FIXED_NOW)  # remembered for GAN runs
    async with again.run_test(size=(80, 24)) as pilot:
        await open_gan(pilot, again, "picky")
        await wait_for(pilot, lambda: [s.label for s in again.query_one("#loss-plot", LossPlot).series] == ["d_real"],
                       what="d_real again")


async def test_log_y_ticks_are_labelled_in_loss_units(runs_dir):
    make_gan(runs_dir, "logged", "000000")  # loss_d from 0.68 down to 0.15: log10 labels would be negative
    app = make_app(runs_dir, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_gan(pilot, app, "logged")
        await pilot.press("l")
        await wait_for(pilot, lambda: "log y" in text(app, "#plot-legend"), what="log y drawn")

        def tick_values() -> list[float]:
            return [float(line.split("┤")[0]) for line in plot_lines(app) if "┤" in line]

        values = await wait_for(pilot, lambda: (v := tick_values()) and min(v) < 0.3 and v, what="log ticks")
        assert len(values) >= 3 and all(v > 0 for v in values)  # log10 labels would be negative here
        assert max(values) >= 1  # the ticks span the losses, in their own units


async def test_the_cursor_readout_shows_the_logged_values_at_its_step(runs_dir):
    make_gan(runs_dir, "cursor", "000000")
    app = make_app(runs_dir, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_gan(pilot, app, "cursor")
        assert text(app, "#plot-readout").startswith("step 400 9:45")  # 390 steps x 1.5 s
        await pilot.press("comma")
        step = pane.options.cursor
        assert step is not None and step < 400
        record = gan_record(step)
        readout = text(app, "#plot-readout")
        assert readout.startswith(f"cursor {step} ")
        assert f"loss_d {record['loss_d']:.4g}" in readout and f"loss_g {record['loss_g']:.4g}" in readout
        for _ in range(20):
            await pilot.press("less_than_sign")
        assert pane.options.cursor == 10 and text(app, "#plot-readout").startswith("cursor 10 0:00")
        await pilot.press("T")  # x by wall time: ticks in m:ss
        await wait_for(pilot, lambda: any("2:00" in line and "4:00" in line for line in plot_lines(app)),
                       what="m:ss ticks")
        for _ in range(60):
            await pilot.press("greater_than_sign")
        assert pane.options.cursor is None  # past the newest step it follows new points again


async def test_compare_overlays_marked_runs_with_a_legend_outside_the_plot(tmp_path):
    root = make_fixture_runs(tmp_path / "runs")  # a GAN, an LM and a failed GAN
    make_gan(root, "gan-b", "000000", scale=2.0)
    app = make_app(root, clock=lambda: FIXED_NOW)
    app.settings.plot_metrics = {"gan": ["loss_d"]}
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_gan(pilot, app, "gan-b")
        await pilot.press("space")
        pane = await open_gan(pilot, app, "fixture-gan")
        await pilot.press("space")
        plot = app.query_one("#loss-plot", LossPlot)
        await wait_for(pilot, lambda: sorted(s.label for s in plot.series) == ["fixture-gan", "gan-b"],
                       what="two runs overlaid")
        legend = app.query_one("#plot-legend", Static)
        assert "loss_d:" in text(app, "#plot-legend") and "━━ gan-b" in text(app, "#plot-legend")
        assert legend.region.bottom <= plot.region.y  # above the plot, not over its curves
        assert "◆" in app.query_one(DataTable).get_row(pane.selected)[0]

        pane = await open_gan(pilot, app, "fixture-lm")  # another kind: its loss only
        await wait_for(pilot, lambda: [s.label for s in plot.series] == ["loss", "val_loss"], what="the LM alone")
        assert "not plotted" in text(app, "#plot-legend") and "gan-b" in text(app, "#plot-legend")

        await pilot.press("C")
        await wait_for(pilot, lambda: not pane.compare, what="marks cleared")
        await wait_for(pilot, lambda: not any("◆" in str(row[0]) for row in
                                              map(app.query_one(DataTable).get_row, pane.rows)), what="no marks")


async def test_a_run_with_no_metrics_names_the_marked_runs_it_cannot_be_compared_with(tmp_path):
    root = tmp_path / "runs"
    make_gan(root, "gan-b", "000000")
    quiet = root / "20260102-000100-quiet-eeee"
    quiet.mkdir(parents=True)
    (quiet / "config.toml").write_text('kind = "script"\nname = "quiet"\n[script]\ncommand = ["sleep", "9"]\n')
    (quiet / "status.json").write_text(json.dumps({
        "state": "finished", "pid": None, "host": "fixture-host", "device": "cpu", "step": 0, "total_steps": None,
        "started_at": FIXED_NOW - 100, "updated_at": FIXED_NOW - 60, "ended_at": FIXED_NOW - 60}))
    app = make_app(root, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_gan(pilot, app, "gan-b")
        await pilot.press("space")
        table = app.query_one(DataTable)
        target = next(r for r, d in pane.rows.items() if d.row.name == "quiet")
        keys = [str(k.value) for k in table.rows]
        moves = keys.index(target) - table.cursor_row
        await pilot.press(*(["down"] * moves if moves > 0 else ["up"] * -moves))
        await wait_for(pilot, lambda: pane.selected == target and "not plotted" in text(app, "#plot-legend"),
                       what="quiet selected, gan-b marked")
        legend = " ".join(text(app, "#plot-legend").split())
        assert "(no )" not in legend and not legend.rstrip().endswith(",")
        assert "not plotted: gan-b (nothing to compare with)" in legend


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_legend_and_readout_name_every_compared_run(tmp_path, size):
    """Compared runs are drawn one metric at a time (M the next), a colour per run, so the two-line
    legend and readout name and read every run; a "run:metric" per curve left the other run's as
    "+3 more" even at 120x40."""
    root = tmp_path / "runs"
    make_gan(root, "gan-long-name-a", "000000")
    make_gan(root, "gan-long-name-b", "000100", scale=2.0)
    app = make_app(root, clock=lambda: FIXED_NOW)
    app.settings.plot_metrics = {"gan": ["d_real", "loss_d", "loss_g"]}
    async with app.run_test(size=size) as pilot:
        await open_gan(pilot, app, "gan-long-name-a")
        await pilot.press("space")
        await open_gan(pilot, app, "gan-long-name-b")
        plot = app.query_one("#loss-plot", LossPlot)
        for place, metric in ((1, "d_real"), (2, "loss_d"), (3, "loss_g"), (1, "d_real")):
            await wait_for(pilot, lambda w=f"{metric} ({place}/3 M):": w in text(app, "#plot-legend"),
                           what=f"{metric} compared")
            assert [s.label for s in plot.series] == ["gan-long-name-b", "gan-long-name-a"]
            for selector in ("#plot-legend", "#plot-readout"):
                widget = app.query_one(selector, Static)
                await wait_for(pilot, lambda w=widget: all(len(line) <= w.content_size.width
                                                         for line in str(w.render()).splitlines()), what="packed")
                lines = str(widget.render()).splitlines()
                assert len(lines) <= 2, (selector, lines)  # all of it on screen
                assert "more" not in " ".join(lines), (selector, lines)
                assert all(f"{label} " in " ".join(lines) + " " for label in ("gan-long-name-a", "gan-long-name-b"))
            assert metric in text(app, "#plot-readout")
            await pilot.press("M")


async def test_the_window_decides_the_x_axis_whatever_a_checkpoint_outside_it(runs_dir):
    """tester7 H12: `w` (last 100) left the axis starting at an early checkpoint's marker, the curve squeezed right."""
    run = make_gan(runs_dir, "windowed", "000000")
    early = run / "checkpoints" / "step-00000020"
    early.mkdir()
    (early / "meta.json").write_text(json.dumps({"step": 20, "time": FIXED_NOW - 2900, "kind": "gan",
                                                 "reason": "manual", "metrics": {}}))
    (early / "model.safetensors").write_bytes(b"\0" * 64)
    app = make_app(runs_dir, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_gan(pilot, app, "windowed")
        await pilot.press("w")
        plot = app.query_one("#loss-plot", LossPlot)
        await wait_for(pilot, lambda: plot.options.last_n_steps == 100 and plot.options.markers == [20],
                       what="the window (last 100) and the checkpoint's marker")
        await pilot.pause()

        labels = await wait_for(pilot, lambda: next((row for row in plot_lines(app) if "300" in row and "400" in row
                                                     and "┤" not in row), None), what="x tick labels")
        assert labels.index("300") < len(labels) // 4, labels  # the window fills the plot: 300 near its left edge
        assert "100" not in labels.split() and "20" not in labels.split(), labels  # no axis back to the marker
