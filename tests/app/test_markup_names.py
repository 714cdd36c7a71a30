"""A run name with markup characters reads as typed in the runs table, the monitor header and the checkpoint detail."""

from __future__ import annotations

import tomllib

from fixture_runs import FIXED_NOW
from pilot_wait import text_of, wait_for
from rich.text import Text
from textual.widgets import DataTable, Tree

from aigc_tui.ui.app import make_app

NAME = "lr[b]x[/b]"


def _rename_every_run(root):
    for run in root.iterdir():
        cfg = run / "config.toml"
        if cfg.is_file() and tomllib.loads(cfg.read_text()).get("kind") == "gan":
            text = "\n".join(f'name = "{NAME}"' if line.startswith("name =") else line
                             for line in cfg.read_text().splitlines())
            cfg.write_text(text + "\n")


async def test_a_name_with_markup_is_shown_literally(fixture_runs):
    _rename_every_run(fixture_runs)
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.query_one("#runs-table", DataTable).row_count >= 3, what="the runs table")
        table = app.query_one("#runs-table", DataTable)
        shown = [Text.from_markup(str(cell)).plain for cell in table.get_column("name")]  # as the table parses a cell
        assert {f"{NAME} ~aaaa", f"{NAME} ~cccc"} <= set(shown), shown  # was `lrx ~aaaa`: [b]...[/b] read as bold
        pane = app.query_one("RunsPane")
        pane.select(next(r for r, d in pane.rows.items() if d.row.kind == "gan"))
        await wait_for(pilot, lambda: NAME in text_of(app, "#run-header"), what="the header with the name as typed")
        await pilot.press("3")
        tree = app.query_one(Tree)
        run_node = await wait_for(pilot, lambda: next((n for n in tree.root.children
                                                       if getattr(n.data, "kind", "") == "gan" and n.children), None),
                                  what="the renamed run with its checkpoint in the tree")
        tree.move_cursor(run_node.children[0])  # its checkpoint, wherever the tree put the run
        await wait_for(pilot, lambda: NAME in text_of(app, "#ckpt-detail"), what="the detail with the name as typed")
