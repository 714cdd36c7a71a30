"""Generate at 80 columns: the chosen checkpoint and the stop strings can be read."""

from __future__ import annotations

from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from textual.widgets import Input

from aigc_tui.ui.app import make_app


def screen_rows(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_the_model_picker_and_stop_strings_fit_80_columns(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: not app.query_one("#gen-model").is_blank(), what="the newest LM chosen")
        picker = app.query_one("#gen-model")
        await wait_for(pilot, lambda: any("fixture-lm@300 (lm)" in row for row in screen_rows(app)),
                       timeout=30, what=f"the checkpoint's step in a {picker.size.width}-cell picker")
        stops = app.query_one("#gen-stops", Input)
        await wait_for(pilot, lambda: any("stop at (comma-separated): \\n\\n, ###" in row for row in screen_rows(app)),
                       timeout=30, what="the stop strings' example")
        stops.value = "\\n\\n, ###, END"
        await wait_for(pilot, lambda: any("\\n\\n, ###, END" in row for row in screen_rows(app)), what="the stop strings")


async def test_typed_numbers_show_whole_at_80_columns(fixture_runs):
    """Numbers are never cut at 80x24 (issue 9): a typed 0.35 read `.35` and seed 1234567 `4567` (accept8 J2).
    Every field is filled at once, each typed as a user does, and read after Esc left it."""
    typed = {"max_new_tokens": "2000", "temperature": "0.35", "top_k": "123456100", "top_p": "0.95",
             "repetition_penalty": "1.15", "seed": "1234567", "num_samples": "12"}
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: not app.query_one("#gen-model").is_blank(), what="the pane settled")
        await pilot.pause()
        for name, value in typed.items():
            field = await wait_for(pilot, lambda name=name: app.query(f"#p-{name}") and app.query_one(f"#p-{name}"),
                                   what=name)
            field.focus()
            await wait_for(pilot, lambda field=field: field.has_focus, what=f"{name} focused")
            await pilot.press("end", *["backspace"] * 8, *value, "escape")
            assert field.value == value
        shown = "max 2000  temp 0.35  top-k 123456100  top-p 0.95  rep 1.15  seed 1234567  n 12"
        await wait_for(pilot, lambda: any(shown in row for row in screen_rows(app)),
                       what=f"{shown!r} on screen, not {[row for row in screen_rows(app) if 'temp' in row]}")
