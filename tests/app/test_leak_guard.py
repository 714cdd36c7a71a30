"""A day of use must not grow the app: the fields of every Launch form shown and the keys of
every footer drawn are freed once they leave the screen (Textual 8.2 keeps both alive;
aigc_tui.ui.leak_guard lets them go)."""

from __future__ import annotations

import gc

from pilot_wait import wait_for
from test_launch_form_fields import show_recipe
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from aigc_tui.ui.app import make_app
from aigc_tui.ui.leak_guard import prune_detached


def detached(kind: type) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, kind) and not o.is_attached)


async def test_fields_of_past_forms_and_old_footer_keys_are_freed(runs_dir, monkeypatch):
    monkeypatch.setattr("aigc_tui.ui.leak_guard.PRUNE_EVERY_S", 3600)  # this test prunes by hand, once
    monkeypatch.setattr("aigc_tui.ui.leak_guard.PRUNE_RESTING_S", 3600)
    # Widgets earlier tests' apps left alive are not this app's: count from them (in a full run they vary)
    inputs_before, keys_before = detached(Input), detached(FooterKey)
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(80, 24)) as pilot:
        for stem in ("gan_mlp_digits", "lm_gpt_python_docs", "gan_dcgan_digits", "gan_mlp_digits"):
            await show_recipe(pilot, app, stem)
        for key in ("2", "3", "1", "2", "1"):  # each focus change draws the footer's keys again
            await pilot.press(key)
            await pilot.pause()
        fields_on_screen = len(app.query(Input))
        assert detached(Input) - inputs_before > fields_on_screen, "Textual no longer keeps old fields: drop leak_guard"
        prune_detached(app)
        assert detached(Input) <= inputs_before
        assert detached(FooterKey) <= keys_before


async def test_an_untouched_app_does_not_prune_and_one_in_use_prunes_after_the_input(runs_dir, monkeypatch):
    """Waking every 20 s to walk every widget was a fifth of what the idle app cost; idle, nothing leaks."""
    from aigc_tui.ui import leak_guard

    monkeypatch.setattr(leak_guard, "PRUNE_EVERY_S", 0.2)
    monkeypatch.setattr(leak_guard, "PRUNE_RESTING_S", 3600)
    pruned: list[int] = []
    monkeypatch.setattr(leak_guard, "prune_detached", lambda app: pruned.append(1) or 0)
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.6)
        assert pruned == [], "pruned with no key pressed"
        await pilot.press("2")
        await wait_for(pilot, lambda: pruned, timeout=30, what="the prune after a key")
        await pilot.pause(0.6)
        assert pruned == [1], "pruned again with no key pressed since"
