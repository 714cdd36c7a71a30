"""A key acts on the run the table shows when it arrives, whatever the keys before it in the same read did:
the cursor moved (Home, End, arrows) or a filter typed. The pane's selection followed the table's messages,
which came after the keys of the same read: `Home d y` deleted the run the cursor left, `/lm⏎dy` one the
filter hides (tester10 T1, T8)."""

from __future__ import annotations

from pilot_wait import focused_runs_table, wait_for
from test_paste_guard import terminal_sends

from aigc_tui.ui.app import make_app
from aigc_tui.ui.confirm import ConfirmScreen

END, HOME, DOWN = "\x1b[F", "\x1b[H", "\x1b[B"


async def _asked(pilot, app) -> str:
    dialog = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, what="the question")
    return dialog.question


async def test_a_cursor_key_then_d_in_one_read_asks_about_the_run_moved_to(fixture_runs):
    app = make_app(fixture_runs)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await focused_runs_table(pilot, app, 3)
        await pilot.pause()
        for keys, run in ((END + "d", "fixture-gan"), (HOME + "d", "fixture-failed"), (DOWN + "d", "fixture-lm")):
            terminal_sends(app, keys)
            assert f"Delete run [b]{run}[/b] for good?" in await _asked(pilot, app), keys
            await pilot.press("n")
            await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the question closed")
        assert table.cursor_row == 1


async def test_a_filter_then_d_y_in_one_read_deletes_the_run_shown_never_a_hidden_one(fixture_runs):
    app = make_app(fixture_runs)
    async with app.run_test(size=(80, 24)) as pilot:
        await focused_runs_table(pilot, app, 3)
        await pilot.pause()  # fixture-failed selected (the newest run)
        terminal_sends(app, "/lm\rdy")
        await wait_for(pilot, lambda: not (fixture_runs / "20260101-000100-fixture-lm-bbbb").exists(),
                       what="fixture-lm deleted")
        assert (fixture_runs / "20260101-000200-fixture-failed-cccc").exists()  # hidden by the filter: kept
        assert (fixture_runs / "20260101-000000-fixture-gan-aaaa").exists()
