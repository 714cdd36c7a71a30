"""Hours of use, compressed: `python benchmarks/app_soak.py --minutes 10`.

Drives the real app headless at 80x24 with random keys across every pane and modal (the keys
a user presses all day, 10 a second by default) over a runs root, and every `--every` minutes
prints RSS, RSS after `malloc_trim` (what is live, not fragmentation) and the widgets that are
alive but no longer on screen, by class. A count that keeps growing is a leak: follow one of
its objects with `gc.get_referrers` (how the Textual leaks in `ui/leak_guard.py` were found).
Every `--generate-every` keys it also generates from the newest LM checkpoint in Generate (ctrl+g,
as a user would), so the streamed output's strips and caches are in the count: Textual's caches
are bounded (1,024 entries a widget), so RSS and Strips alive should level off, not climb.
Start a live run under the root first to include the monitor's work. At each report it also rests
on Runs for `--rest` seconds and prints the CPU the app used meanwhile (idle, or watching the run
selected), so the figure after hours of use can be compared with a fresh app's. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import ctypes
import gc
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from textual.strip import Strip  # noqa: E402
from textual.widget import Widget  # noqa: E402

from aigc_tui.paths import runs_root  # noqa: E402
from aigc_tui.runs import LIVE_STATES  # noqa: E402
from aigc_tui.ui.app import make_app  # noqa: E402
from aigc_tui.ui.panes.runs import RunsPane  # noqa: E402

KEYS = ("down up down T T l l comma full_stop less_than_sign greater_than_sign m escape 3 down up 2 v "
        "right left escape 1 down up 2 down down up up space C").split()


def rss_mb() -> int:
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) // 1024


def trim() -> None:
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


async def generate(app, pilot) -> bool:
    """One generation in the Generate pane; False when it produced nothing (e.g. no LM checkpoint)."""
    await pilot.press("escape", "4")
    await pilot.pause(1.0)
    stats = app.query_one("#gen-stats")
    before = str(stats.render())
    await pilot.press("ctrl+g")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = str(stats.render())
        if now != before and "tokens" in now:
            break
        await pilot.pause(0.2)
    else:
        return False
    await pilot.press("escape", "2")
    return True


async def rest_cpu(app, pilot, seconds: float) -> str:
    """Percent of one core this process used while the app rests on Runs for `seconds` (no keys),
    idle on a finished run and watching a live one (when the root has one)."""
    await pilot.press("escape", "escape", "2")
    pane = app.query_one(RunsPane)
    finished = [i for i, d in pane.rows.items() if d.row.state not in LIVE_STATES]
    live = [i for i, d in pane.rows.items() if d.row.state in LIVE_STATES]
    figures = []
    for what, ids in (("idle", finished), ("watching", live)):
        if not ids:
            continue
        pane.select(ids[0])
        await asyncio.sleep(2.0)  # the selection's own redraw is not rest
        cpu, wall = time.process_time(), time.monotonic()
        await asyncio.sleep(seconds)
        figures.append(f"{what} {100 * (time.process_time() - cpu) / (time.monotonic() - wall):.2f} %")
    return "CPU on Runs " + ", ".join(figures)


async def main(args: argparse.Namespace) -> None:
    app = make_app(runs_root(args.runs_dir))
    rnd = random.Random(args.seed)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await asyncio.sleep(3)
        print(f"start: RSS {rss_mb()} MB; {await rest_cpu(app, pilot, args.rest)}", flush=True)
        start, presses, report_at, generations = time.monotonic(), 0, args.every * 60, 0
        while time.monotonic() - start < args.minutes * 60:
            await pilot.press(rnd.choice(KEYS))
            presses += 1
            if presses % 40 == 0:
                await pilot.press("escape", "2")  # back to Runs now and then, as a user would
            if args.generate_every and presses % args.generate_every == 0:
                generations += await generate(app, pilot)
            await asyncio.sleep(args.gap)
            if time.monotonic() - start >= report_at:
                report_at += args.every * 60
                gc.collect()
                objects = gc.get_objects()
                alive = collections.Counter(type(o).__name__ for o in objects if isinstance(o, Widget))
                strips = sum(isinstance(o, Strip) for o in objects)
                del objects
                shown = collections.Counter(type(w).__name__ for s in app.screen_stack
                                            for w in s.walk_children(with_self=True))
                before = rss_mb()
                trim()
                gone = {k: n - shown[k] for k, n in alive.items() if n - shown[k] > 5}
                print(f"{time.monotonic() - start:5.0f} s, {presses} keys, {generations} generations: RSS "
                      f"{before} MB ({rss_mb()} after malloc_trim); Strips alive {strips}; widgets alive "
                      f"{sum(alive.values())}, on screen {sum(shown.values())}, off screen {gone or 'none'}; "
                      f"{await rest_cpu(app, pilot, args.rest)}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-dir", default=None)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=2.0, help="minutes between reports")
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between keys")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rest", type=float, default=30.0, help="seconds resting on Runs at each report (CPU %%)")
    parser.add_argument("--generate-every", type=int, default=300,
                        help="keys between generations from the newest LM checkpoint (0: none)")
    asyncio.run(main(parser.parse_args()))
