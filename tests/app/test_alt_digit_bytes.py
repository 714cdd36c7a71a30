"""alt+1..alt+4 as the terminal sends them: tmux, xterm and most SSH terminals send alt+N as ESC N, which
Textual 8.2's parser reads as the characters ¡ ™ £ ¢ (a WezTerm-on-macOS table), so they typed into the
field instead of switching panes. The bytes go through the parser the app's driver builds (a Pilot press
of "alt+3" skips the parser and would prove nothing); a real £ typed is still a £."""

from __future__ import annotations

from pilot_wait import focused_runs_table, wait_for
from test_paste_guard import terminal_sends
from textual.widgets import Input

from aigc_tui.ui.app import make_app
from aigc_tui.ui.confirm import ConfirmScreen
from aigc_tui.ui.paste_guard import PasteSafeParser


def keys(*reads: str) -> list[tuple[str, str | None]]:
    parser = PasteSafeParser()
    return [(e.key, e.character) for data in reads for e in parser.feed(data)]


def test_esc_digit_is_alt_digit_and_a_typed_pound_sign_is_a_pound_sign():
    assert keys("\x1b1", "\x1b2", "\x1b3", "\x1b4") == [("alt+1", None), ("alt+2", None), ("alt+3", None),
                                                       ("alt+4", None)]
    assert keys("\x1b", "3") == [("alt+3", None)]  # ESC and 3 in two reads
    assert keys("£¡™¢") == [("pound_sign", "£"), ("inverted_exclamation_mark", "¡"), ("trade_mark_sign", "™"),
                           ("cent_sign", "¢")]
    assert keys("a\x1b[A3") == [("a", "a"), ("up", None), ("3", "3")]  # sequences and digits as before


def test_esc_then_a_letter_in_one_read_is_esc_then_the_letter():
    """Textual read ESC d as alt+d carrying a `d` (typed by the field Esc was to leave), ESC / as a bare /."""
    assert keys("\x1bd", "") == [("escape", "\x1b"), ("d", "d")]  # "": the read after, or the Esc timeout
    assert keys("\x1b/x", "") == [("escape", "\x1b"), ("slash", "/"), ("x", "x")]
    assert keys("\x1bD", "") == [("escape", "\x1b"), ("D", "D")]
    assert keys("\x1b\r", "") == [("escape", "\x1b"), ("enter", "\r")]  # not a bare Enter submitting a dialog
    assert keys("\x1b-", "\x1b=") == [("escape", "\x1b"), ("minus", "-"), ("escape", "\x1b"), ("equals_sign", "=")]
    assert keys("\x1b\x7f") == [("ctrl+w", None)]  # alt+backspace still deletes a word
    assert keys("\x1bb") == [("ctrl+left", None)]  # and ESC b is still a word left


async def test_alt_3_then_alt_2_from_the_runs_filter_switch_panes_and_type_nothing(runs_dir):
    app = make_app(runs_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        tabs = app.query_one("TabbedContent")
        field = await wait_for(pilot, lambda: app.query("#runs-filter") and app.query_one("#runs-filter", Input),
                               what="the runs filter")
        await wait_for(pilot, lambda: field.has_focus or (field.focus() and False), what="the filter focused")
        terminal_sends(app, "g£")  # a real £ is text
        await wait_for(pilot, lambda: field.value == "g£", what="g£ typed")
        terminal_sends(app, "\x1b3")
        await wait_for(pilot, lambda: tabs.active == "checkpoints", what="the Checkpoints pane")
        terminal_sends(app, "\x1b2")
        await wait_for(pilot, lambda: tabs.active == "runs", what="back to Runs")
        await pilot.pause()
        assert field.value == "g£"


async def test_esc_and_d_in_one_write_leave_the_filter_and_ask_to_delete(fixture_runs):
    """tester9 F1: `/gan`, then Esc and d in one write (tmux's escape-time, or one SSH packet)."""
    app = make_app(fixture_runs)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.query("#runs-table") and app.query_one("#runs-table").row_count == 3,
                       what="the runs table")
        field = app.query_one("#runs-filter", Input)
        parser = PasteSafeParser()
        for event in parser.feed("/gan\x1bd"):
            app._driver.send_message(event)
        await pilot.pause(0.3)  # the Esc delay: the driver asks the parser again (tick) this long after
        for event in parser.tick():
            app._driver.send_message(event)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the delete question")
        assert field.value == "gan"  # the d was not typed into the filter it left


async def test_esc_and_a_digit_in_one_write_on_a_dialog_close_it_then_switch_panes(fixture_runs):
    """tester9 F2: ESC 3 reads as alt+3, which a dialog has no pane for: both keys were lost. It is Esc (the
    dialog closes as Esc closes it: nothing deleted, no tag saved), then 3."""
    app = make_app(fixture_runs)
    async with app.run_test(size=(80, 24)) as pilot:
        tabs = app.query_one("TabbedContent")
        table = await focused_runs_table(pilot, app, 3)
        runs_before = sorted(p.name for p in fixture_runs.iterdir())
        for opener, back in (("question_mark", "\x1b2"), ("d", "\x1b2"), ("n", "\x1b2")):
            await pilot.press(opener)
            await wait_for(pilot, lambda: len(app.screen_stack) == 2, what=f"the dialog of {opener}")
            await pilot.pause()
            if opener == "n":
                await pilot.press("x", "y")  # typed into the tags field, then dropped with the dialog
            terminal_sends(app, "\x1b3")
            await wait_for(pilot, lambda: len(app.screen_stack) == 1 and tabs.active == "checkpoints",
                           what=f"{opener}'s dialog closed and Checkpoints shown")
            terminal_sends(app, back)
            await wait_for(pilot, lambda: tabs.active == "runs" and app.focused is table, what="Runs again")
        await pilot.press("n")  # tester10 T2: Esc and Enter in one write saved the tags Esc was to drop
        await wait_for(pilot, lambda: len(app.screen_stack) == 2, what="the tags dialog")
        await pilot.pause()
        await pilot.press("j", "u", "n", "k")
        parser = PasteSafeParser()
        for event in [*parser.feed("\x1b\r"), *parser.feed("")]:
            app._driver.send_message(event)
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the tags dialog cancelled")
        await pilot.pause()
        assert sorted(p.name for p in fixture_runs.iterdir()) == runs_before
        assert not list(fixture_runs.glob("*/notes.json"))  # no tags saved
