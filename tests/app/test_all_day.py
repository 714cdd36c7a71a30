"""An app used all day at 80x24 (tester6 G30): the runs table can take the Runs pane, Checkpoints
lists the runs that have checkpoints."""

from __future__ import annotations

import shutil

from fixture_runs import FIXED_NOW
from pilot_wait import text_of, wait_for
from screen_text import screen_text
from textual.widgets import DataTable

from aigc_tui.ui import app as app_module
from aigc_tui.ui.app import make_app

SHIPPED_INFO_TOAST_S = app_module.INFO_TOAST_S  # read at import, before conftest lengthens it for other tests


def many_runs(root, count: int = 12) -> None:
    src = next(root.glob("*fixture-gan-aaaa"))
    for i in range(count):
        shutil.copytree(src, root / f"20260101-0002{i:02d}-more-{i:02d}-{i:04x}")


async def test_z_gives_the_runs_table_the_pane_and_enter_brings_the_monitor_back(fixture_runs):
    many_runs(fixture_runs)
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        table, monitor = app.query_one("#runs-table", DataTable), app.query_one("#run-monitor")
        await wait_for(pilot, lambda: table.row_count == 15, what="the runs table")
        assert table.size.height <= 6 and monitor.display  # 4 rows beside the monitor
        await pilot.press("z")
        await wait_for(pilot, lambda: table.size.height >= 16, timeout=20, what="the table given the pane")
        assert not monitor.region.area
        assert "z Zoom" in screen_text(app).splitlines()[-1]  # the footer names it at 80 columns
        for _ in range(10):
            await pilot.press("down")
        await pilot.press("enter")  # that run's monitor, with the table back to its share
        await wait_for(pilot, lambda: monitor.region.area and table.size.height <= 6, what="the monitor back")
        pane = app.query_one("RunsPane")
        assert pane.selected == str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        assert table.cursor_row == 10
        rows_shown = lambda: range(int(table.scroll_y), int(table.scroll_y) + table.size.height - 1)  # noqa: E731 (less the header)
        await wait_for(pilot, lambda: 10 in rows_shown(), what="the chosen row scrolled into the 4-row table (tester7 H6)")
        await pilot.press("z", "z")  # z toggles too
        await wait_for(pilot, lambda: monitor.region.area and table.size.height <= 6, what="z twice: as before")


def tree_lines(app) -> list[str]:
    from textual.widgets import Tree

    return [str(node.label) for node in app.query_one("#ckpt-tree", Tree).root.children]


async def test_checkpoints_lists_only_runs_with_checkpoints_and_counts_the_others(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one("#runs-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 3, what="the runs table")
        await pilot.press("3")
        await wait_for(pilot, lambda: app.query("#ckpt-tree") and tree_lines(app), what="the checkpoints tree")
        lines = tree_lines(app)
        assert not any("fixture-failed" in line for line in lines), lines  # its 0 checkpoints hid the others
        assert any("fixture-gan" in line for line in lines) and any("fixture-lm" in line for line in lines)
        assert "1 run with no checkpoint not listed" in screen_text(app)  # under the tree
        await pilot.press("2")
        pane = app.query_one("RunsPane")
        await wait_for(pilot, lambda: app.query_one("TabbedContent").active == "runs", what="Runs")
        pane.select(next(r for r, d in pane.rows.items() if d.row.name == "fixture-failed"))
        await pilot.press("k")  # the run asked for is listed, with none under it
        await wait_for(pilot, lambda: any("fixture-failed" in line for line in tree_lines(app)), what="the asked run")
        assert app.is_running and not app.query_one("#ckpt-hidden").display and not text_of(app, "#ckpt-hidden")


async def test_information_toasts_go_sooner_than_warnings_so_the_log_tail_shows_again(fixture_runs, monkeypatch):
    monkeypatch.setattr(app_module, "INFO_TOAST_S", SHIPPED_INFO_TOAST_S)
    INFO_TOAST_S = SHIPPED_INFO_TOAST_S
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.query_one("#runs-table", DataTable).row_count == 3, what="the runs table")
        pane = app.query_one("RunsPane")
        pane.notify("started something")  # what every action says: information
        await pilot.press("x")  # the selected run is not running: a warning
        app.notify("an explicit timeout stays", timeout=9)
        await wait_for(pilot, lambda: len(app._notifications) == 3, what="three toasts")
        timeouts = [(n.severity, n.timeout) for n in app._notifications]
        assert INFO_TOAST_S < app.NOTIFICATION_TIMEOUT
        assert timeouts == [("information", INFO_TOAST_S), ("warning", app.NOTIFICATION_TIMEOUT), ("information", 9)]
