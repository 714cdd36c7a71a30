"""Home/End and Space/Enter where a new user reaches for them first: the runs table's first and last run,
and a Checkpoints tree nobody has moved in yet (tester9 F11, F15)."""

from __future__ import annotations

from pilot_wait import focused_runs_table, wait_for
from textual.widgets import Tree

from aigc_tui.ui.app import make_app


async def test_home_and_end_go_to_the_first_and_last_run(fixture_runs):
    app = make_app(fixture_runs)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await focused_runs_table(pilot, app, 3)
        await pilot.press("end")
        assert table.cursor_row == 2
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("end", "up")
        assert table.cursor_row == 1


async def test_space_on_a_fresh_checkpoints_tree_highlights_the_first_run_and_expands_none(fixture_runs):
    app = make_app(fixture_runs, initial_tab="checkpoints")
    async with app.run_test(size=(80, 24)) as pilot:
        tree = await wait_for(pilot, lambda: app.query(Tree) and app.query_one(Tree).root.children
                              and app.focused is app.query_one(Tree) and app.query_one(Tree),
                              what="the checkpoints tree focused")
        await pilot.pause()
        expanded = [node.is_expanded for node in tree.root.children]
        assert tree.cursor_line == -1  # nothing highlighted: the detail says to select a checkpoint
        await pilot.press("space")
        assert tree.cursor_line == 0
        assert [node.is_expanded for node in tree.root.children] == expanded  # the last run did not open
        await pilot.press("space")  # from there Space toggles the run highlighted
        assert tree.root.children[0].is_expanded != expanded[0]
