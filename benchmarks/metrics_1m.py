"""Open a run whose metrics.jsonl has a million lines in the app, and time it.

    python benchmarks/metrics_1m.py [--lines 1000000] [--no-sidecar] [--keep DIR]

Builds the run once (a GAN run's 12 metrics per line, a NaN and a rewind in it; the
worker's writer adds metrics.cols/ beside the JSONL), then starts the app under Pilot in
this process, selects the run and reports the seconds from selection to the loss plot
holding every point (wall and CPU seconds: on a busy machine the CPU figure is what an idle
one would show), and the process's peak RSS. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def build(runs_dir: Path, lines: int, sidecar: bool) -> str:
    from aigc_tui.runs import MetricsWriter, create_run

    run = create_run(runs_dir, 'kind = "gan"\nname = "million"\n', "million")
    rng = random.Random(0)
    names = ["loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g", "nonfinite", "lr_g", "lr_d"]
    with open(run.path / "metrics.jsonl", "w") as f:
        for i in range(1, lines + 1):
            step = i * 10 if i <= lines - 1000 else (i - 2000) * 10  # the last 1,000 lines rewind
            rec = {"step": step, "time": round(1.7e9 + i * 0.1, 3), **{k: rng.random() for k in names},
                   "images_per_s": 2700.0 + rng.random()}
            if i == lines // 2:
                rec["loss_d"] = "nan"
            f.write(json.dumps(rec) + "\n")
    if sidecar:
        MetricsWriter(run.path).close()  # what a worker does on start: catch the cache up with the JSONL
    small = create_run(runs_dir, 'kind = "gan"\nname = "small"\n', "small")  # newest: the app opens on it
    MetricsWriter(small.path).write(1, {"loss_d": 1.0, "loss_g": 1.0})
    return run.id


async def open_in_app(runs_dir: Path, run_id: str, lines: int) -> tuple[float, float, float]:
    from aigc_tui.ui.app import make_app
    from aigc_tui.ui.panes.runs import RunsPane
    from aigc_tui.ui.widgets.loss_plot import LossPlot

    app = make_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(RunsPane)
        while run_id not in pane.rows or not pane.selected:
            await pilot.pause(0.05)
        await pilot.pause(0.5)
        start, cpu = time.perf_counter(), time.process_time()
        pane.select(run_id)
        plot = app.query_one("#loss-plot", LossPlot)
        while not (plot.series and len(plot.series[0].steps) >= lines - 3000):
            await pilot.pause(0.01)
        await pilot.pause()  # the frame with it
        return (time.perf_counter() - start, time.process_time() - cpu,
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--no-sidecar", action="store_true")
    parser.add_argument("--keep", help="build the run here once and reuse it")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="aigc-1m-"))
    runs_dir = root / ("runs-plain" if args.no_sidecar else "runs")
    existing = [p.name for p in runs_dir.iterdir() if "million" in p.name] if runs_dir.is_dir() else []
    t = time.perf_counter()
    run_id = existing[0] if existing else build(runs_dir, args.lines, not args.no_sidecar)
    print(f"run {'reused' if existing else f'built in {time.perf_counter() - t:.1f} s'}: {runs_dir / run_id}")
    seconds, cpu, rss = asyncio.run(open_in_app(runs_dir, run_id, args.lines))
    print(f"selected -> plot with {args.lines:,} points: {seconds:.2f} s wall ({cpu:.2f} s CPU, all threads; "
          f"load {os.getloadavg()[0]:.1f}), peak RSS {rss:.0f} MB")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
