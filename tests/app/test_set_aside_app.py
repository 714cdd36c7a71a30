"""Tester6 G15 follow-up: the checkpoints a `resume --from` set aside (checkpoints/.superseded-*/)
use disk; the Checkpoints tree shows them, dimmed, under their run, and `d` deletes them after asking."""

from __future__ import annotations

import os

from pilot_wait import text_of, wait_for
from textual.widgets import Tree

from aigc_tui.runs import list_runs
from aigc_tui.ui.app import make_app
from aigc_tui.ui.confirm import ConfirmScreen


async def test_set_aside_checkpoints_are_listed_and_deleted_after_asking(fixture_runs):
    gan = next(r for r in list_runs(fixture_runs) if r.name == "fixture-gan")
    newest = gan.checkpoints()[-1]
    aside = gan.path / "checkpoints" / ".superseded-20260101-000000"
    aside.mkdir()
    os.replace(newest.path, aside / newest.name)  # as `resume --from` an earlier checkpoint does
    app = make_app(fixture_runs, initial_tab="checkpoints")
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(Tree)

        def aside_leaf():
            for run_node in tree.root.children:
                for leaf in run_node.children:
                    if getattr(leaf.data, "path", None) == aside:
                        run_node.expand()
                        return leaf
            return None

        leaf = await wait_for(pilot, aside_leaf, what="the set-aside line")
        assert "set aside: 1 checkpoint(s)" in str(leaf.label)
        tree.focus()

        def shown() -> bool:  # the tree may be rebuilt once more as it settles: follow the line's newest node
            now = aside_leaf()
            if now is not None and now.line >= 0 and tree.cursor_node is not now:
                tree.move_cursor(now)
            return newest.name in text_of(app, "#ckpt-detail")

        await wait_for(pilot, shown, what="the panel naming them")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: not aside.exists(), what="the folder deleted")
        await wait_for(pilot, lambda: aside_leaf() is None, what="the line gone")
