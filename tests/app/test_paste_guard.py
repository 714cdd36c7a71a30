"""A bracketed paste is text, whatever it holds: an ESC in pasted text (coloured log output) must not turn the
rest of the paste into key presses (a ^S in it started a training run, a BEL a generation).

The bytes go through the parser the app's terminal driver builds, and its events into the running app."""

from __future__ import annotations

import sys

from pilot_wait import focused_prompt, text_of, wait_for
from test_launch_form_fields import show_recipe
from textual.widgets import Input

from aigc_tui.runs import list_runs
from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane
from aigc_tui.ui.paste_guard import PasteSafeParser


def terminal_sends(app, data: str, chunk: int = 0) -> None:
    """Deliver what a terminal writes, parsed as the app's driver parses it (in reads of `chunk` chars)."""
    modules = (sys.modules[cls.__module__] for cls in app.driver_class.__mro__)  # the quiet driver uses its base's
    parser = next(m for m in modules if hasattr(m, "XTermParser")).XTermParser()
    assert isinstance(parser, PasteSafeParser)
    pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)] if chunk else [data]
    for piece in pieces:
        for event in parser.feed(piece):
            app._driver.send_message(event)


def paste(text: str) -> str:
    return f"\x1b[200~{text}\x1b[201~"


async def test_a_paste_with_esc_and_ctrl_s_into_the_run_name_starts_nothing(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        await show_recipe(pilot, app, "gan_mlp_digits")
        await pilot.pause(0.5)
        name = app.query_one("#run-name", Input)
        name.value = ""
        name.focus()
        await pilot.pause(0.2)
        await wait_for(pilot, lambda: name.has_focus, what="the name field focused")
        terminal_sends(app, paste("nm\x1b[0mX\x13Y"))
        await wait_for(pilot, lambda: name.value, what="the paste applied")
        await pilot.pause(0.3)
        assert name.value == "nm[0mXY"  # all of it text, in order; the ESC and ^S dropped
        assert not list(list_runs(runs_dir))  # the ^S did not press Start
        terminal_sends(app, "\x13")  # a ^S typed (not pasted) still starts the run
        run = await wait_for(pilot, lambda: next(iter(list_runs(runs_dir)), None), what="the run to be created")
        await wait_for(pilot, lambda: app.query(RunsPane) and app.query_one(RunsPane).selected == run.id,
                       what="the new run shown in Runs")


async def test_a_paste_split_across_reads_into_the_prompt_stays_text_and_generates_nothing(runs_dir):
    app = make_app(runs_dir, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        prompt = await focused_prompt(pilot, app, "def ")
        terminal_sends(app, paste("Q1\x1b[31mQ2\x07Q3\x01"), chunk=3)  # BEL = ctrl+g, ^A = ctrl+a
        await wait_for(pilot, lambda: prompt.text != "def ", what="the paste applied")
        await pilot.pause(0.3)
        assert prompt.text == "def Q1[31mQ2Q3"  # in order: no ctrl+a moved the cursor to the line start
        assert "pick a model first" not in text_of(app, "#gen-stats")  # the BEL did not press Generate
        terminal_sends(app, "\x07")  # a ctrl+g typed (not pasted) still does
        await wait_for(pilot, lambda: "pick a model first" in text_of(app, "#gen-stats"), what="Generate pressed")


def test_outside_a_paste_keys_and_sequences_parse_as_before():
    data = "a\x13\x1b[A" + paste("x\x1b[1;2Hy") + "\x1b[B\x07"
    for chunk in (0, 1, 2, 5):
        parser = PasteSafeParser()
        pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)] if chunk else [data]
        seen = [getattr(e, "key", None) or getattr(e, "text", None) for p in pieces for e in parser.feed(p)]
        assert seen == ["a", "ctrl+s", "up", "x[1;2Hy", "down", "ctrl+g"], chunk
