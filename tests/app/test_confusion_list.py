"""D17: a classifier with many labels (23 stdlib modules): the monitor's confusion list says
"+N more labels" for the rows it has no room for, and long names end in "…" (never cut silently)."""

from __future__ import annotations

import json
import re

import pytest
from fixture_runs import FIXED_NOW, make_encoder_fixture_runs
from pilot_wait import wait_for
from textual.widgets import Static

from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane

LABELS = ["argparse", "asyncio", "collections", "concurrent.futures.thread", "csv", "datetime", "email", "functools",
          "http", "itertools", "json", "logging", "multiprocessing", "os", "pathlib", "re", "shutil", "socket",
          "sqlite3", "subprocess", "typing", "urllib", "xml"]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_a_long_label_list_says_how_many_are_left_out(tmp_path, size):
    root = make_encoder_fixture_runs(tmp_path / "runs")
    clf = next(root.glob("*classify*"))
    n = len(LABELS)
    matrix = [[5 if i == j else (1 if j == (i + 1) % n else 0) for j in range(n)] for i in range(n)]
    (clf / "confusion.json").write_text(json.dumps({"step": 100, "labels": LABELS, "matrix": matrix,
                                                    "val_accuracy": 0.8, "val_f1": 0.8, "baseline_accuracy": 0.05}))
    app = make_app(root, clock=lambda: FIXED_NOW)
    async with app.run_test(size=size) as pilot:
        pane = app.query_one(RunsPane)
        await wait_for(pilot, lambda: pane.selected and "classify" in pane.selected, what="the classifier")
        pane.select(pane.selected)  # a poll after layout: the list fits the laid-out widget
        text = await wait_for(pilot, lambda: (t := str(app.query_one("#sample-text", Static).render()))
                              and "more labels" in t and t, what="the +N more line")
        widget = app.query_one("#sample-text", Static)
        rows = [line for line in text.splitlines() if re.search(r" \d+/\d+", line)]
        more = int(re.search(r"\+(\d+) more labels", text).group(1))
        assert len(rows) + more == n  # every label is shown or counted
        shown = text.split("more labels")[0].splitlines()  # through the "+N more" line: all on screen
        assert sum(max(1, -(-len(line) // widget.size.width)) for line in shown) <= widget.size.height
        if any(line.startswith("multiprocessing") for line in rows):
            assert not any(line.startswith("multiprocess ") for line in rows)
        assert not any("concurrent.futures.thread " in line.split("  ")[0] for line in rows)
