"""A live run's log in the monitor: new lines are appended once each, in order, and a reader
who scrolled back is not pulled to the end by them."""

from __future__ import annotations

import subprocess
import sys

from helpers import cli_env
from pilot_wait import wait_for
from textual.widgets import Log

from aigc_tui.runs import find_run
from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane

SCRIPT = """
import sys, time
from pathlib import Path
for i in range(1000):
    print(f"log line {i:04d}", flush=True)
    time.sleep(0.05)
    if Path(sys.argv[1]).exists():
        break
"""


async def test_live_log_lines_are_appended_once_and_a_scrolled_back_reader_stays_put(tmp_path, runs_dir):
    script, done = tmp_path / "chatty.py", tmp_path / "done"
    script.write_text(SCRIPT)
    out = subprocess.run([sys.executable, "-m", "aigc_tui", "run", "--runs-dir", str(runs_dir), "--",
                          sys.executable, str(script), str(done)], capture_output=True, text=True, env=cli_env(),
                         cwd=tmp_path, timeout=120, check=True).stdout
    run = find_run(runs_dir, out.split()[1])
    try:
        app = make_app(runs_dir)
        async with app.run_test(size=(120, 40)) as pilot:
            pane = app.query_one(RunsPane)
            await wait_for(pilot, lambda: pane.selected == run.id, what="the run selected")
            log = app.query_one("#run-log", Log)
            await wait_for(pilot, lambda: sum("log line" in line for line in log.lines) > 40, what="log lines")
            log.scroll_to(y=0, animate=False, immediate=True)  # the reader goes back to the start
            seen = len(log.lines)
            await wait_for(pilot, lambda: len(log.lines) > seen + 20, what="more lines while scrolled back")
            assert log.scroll_y == 0, "new lines pulled a reader who scrolled back to the end"
            numbers = [int(line.split()[-1]) for line in log.lines if "log line" in line]
            assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), "lines repeated or lost"
    finally:
        done.touch()
