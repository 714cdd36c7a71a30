"""The app's CPU and memory budget, measured headless: `python benchmarks/app_bench.py`.

Drives the real app (80x24, Textual's headless driver) over a runs root and reports:
start-up to a filled runs table, CPU % of one core idle on Runs, while watching a live run
(`--watch`: a default GAN recipe is started on `--device` and stopped again), after visiting every pane
and generating with the newest LM checkpoint (if any), and RSS. Prints numbers; asserts
nothing. CPU is the app process only (workers and the generation helper are their own).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import psutil


def seconds_since_start() -> float:
    """Seconds since this process started, to a clock tick (~10 ms).

    Not psutil's create_time(): it adds the start tick to /proc/stat's boot time, which is in
    whole seconds, so the start looks up to 1 s earlier than it was (0.74 s on the box the
    README's first figures came from). The start tick and CLOCK_BOOTTIME share one clock.
    """
    try:
        after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        start_tick = int(after_name[19])  # field 22, starttime (field 3 is the first after the name)
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start_tick / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):  # not Linux
        return time.time() - psutil.Process().create_time()


REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from textual.widgets import DataTable  # noqa: E402

from aigc_tui.paths import runs_root  # noqa: E402
from aigc_tui.ui.app import make_app  # noqa: E402


async def cpu_percent(seconds: float) -> float:
    proc = psutil.Process()
    before, t0 = proc.cpu_times(), time.monotonic()
    await asyncio.sleep(seconds)
    after, t1 = proc.cpu_times(), time.monotonic()
    return ((after.user + after.system) - (before.user + before.system)) / (t1 - t0) * 100


async def until(predicate, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return False


def start_live_run(runs_dir: Path, device: str, log_every: int):
    from aigc_tui.config import load_recipe
    from aigc_tui.launch import new_run, spawn_worker
    from aigc_tui.paths import sample_configs_dir

    config = load_recipe(sample_configs_dir() / "gan_mlp_digits.toml",
                         ["run.steps=1000000", f"run.device=\"{device}\"", f"run.log_every={log_every}"])
    run = new_run(runs_dir, config.model_copy(update={"name": "app-bench-live"}), None)
    spawn_worker(run)
    return run


async def main(args: argparse.Namespace) -> None:
    runs_dir = runs_root(args.runs_dir)
    app = make_app(runs_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(DataTable)
        if runs_dir.is_dir() and any(runs_dir.iterdir()):
            await until(lambda: table.row_count > 0, 30)
            print(f"start-up to a filled runs table  {seconds_since_start():.2f} s (process start, imports included)")
        else:  # nothing to fill it with: waiting for rows would time out and print the timeout
            print(f"start-up to the first frame      {seconds_since_start():.2f} s (no runs under {runs_dir})")
        await asyncio.sleep(2)
        print(f"idle on Runs                     {await cpu_percent(args.seconds):.2f} % of a core")
        if args.watch:
            from aigc_tui.runs import ControlAction, request_control

            run = start_live_run(runs_dir, args.device, args.log_every)
            try:
                await until(lambda: run.id in app.query_one("RunsPane").rows, 60)
                app.query_one("RunsPane").show_run(run.id)
                await until(lambda: run.status().step > 0, 120)
                print(f"watching one live run            {await cpu_percent(args.seconds):.2f} % of a core")
            finally:
                request_control(run.path, ControlAction.STOP)
                await until(lambda: not run.status().state.is_live, 60)
        await pilot.press("1")
        await asyncio.sleep(2)
        before = time.process_time()
        for _ in range(6):  # each highlight builds that recipe's form
            await pilot.press("down")
            await asyncio.sleep(1.5)
        print(f"Launch: a recipe's form          {(time.process_time() - before) / 6:.2f} s of CPU "
              f"(6 recipes, idle time included)")
        for key in ("escape", "1", "3", "4", "escape", "2", "1", "3", "4", "escape", "2"):
            await pilot.press(key)
            await asyncio.sleep(0.3)
        await pilot.press("4")
        await asyncio.sleep(1)
        gen = app.query_one("GeneratePane")
        if gen.model_ref and gen.kinds.get(gen.model_ref) == "lm":
            await pilot.press("ctrl+g")
            await until(lambda: "tokens" in str(app.query_one("#gen-stats").render()), 120)
            print(f"generation                       {app.query_one('#gen-stats').render()}")
        else:
            print("generation                       skipped (no LM checkpoint under the runs root)")
        await asyncio.sleep(2)
        print(f"idle on Generate after use       {await cpu_percent(args.seconds):.2f} % of a core")
        await pilot.press("escape", "2")
        await asyncio.sleep(2)
        print(f"idle on Runs after everything    {await cpu_percent(args.seconds):.2f} % of a core")
        print(f"RSS                              {psutil.Process().memory_info().rss / 2**20:.0f} MB", flush=True)
        await asyncio.sleep(args.hold)  # time to attach a profiler (py-spy record --pid ...)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-dir", default=None)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each CPU window")
    parser.add_argument("--hold", type=float, default=0.0, help="keep the app open this long at the end")
    parser.add_argument("--watch", action="store_true", help="also start a GAN run and watch it")
    parser.add_argument("--device", default="cpu", help="the watched run's device (cpu, cuda, cuda:N)")
    parser.add_argument("--log-every", type=int, default=25,
                        help="the watched run's log interval in steps (5 on a CPU logs about as often as a GPU at 25)")
    asyncio.run(main(parser.parse_args()))
