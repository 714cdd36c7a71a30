"""Generate at 80 columns: an error shows its reason, not a path cut at the edge; a checkpoint deleted
from another shell reads as gone and leaves the picker (tester6 G19)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from textual.widgets import Select

from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.generate import GeneratePane


def screen_rows(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_words(app) -> str:
    return " ".join(" ".join(screen_rows(app)).split())


async def test_a_deleted_checkpoint_reads_as_gone_and_leaves_the_picker(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        picker = app.query_one("#gen-model", Select)
        await wait_for(pilot, lambda: not picker.is_blank(), what="the newest LM chosen")
        pane = app.query_one(GeneratePane)
        dead = str(picker.value)
        shutil.rmtree(dead)  # `aigc-tui rm` from another shell, then ctrl+g: the helper's error
        pane.requests["r1"] = "#gen-output"
        pane.handle_event({"id": "r1", "event": "error", "message": f"{dead} does not exist"})
        await wait_for(pilot, lambda: any("is gone (deleted or moved)" in row for row in screen_rows(app)),
                       what="the reason on screen at 80 columns")
        assert any("error: checkpoint fixture-lm@300 is gone" in row for row in screen_rows(app))
        await wait_for(pilot, lambda: dead not in pane.kinds, what="the model list reloaded")
        assert dead not in [value for _, value in picker._options]


async def test_a_long_error_shows_its_reason_at_80_columns(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        picker = app.query_one("#gen-model", Select)
        await wait_for(pilot, lambda: not picker.is_blank(), what="the newest LM chosen")
        pane = app.query_one(GeneratePane)
        typed = Path("/home/someone/models/a-rather-long-folder-name/of-a-model/checkpoint-final")
        pane.requests["r1"] = "#gen-output"
        pane.handle_event({"id": "r1", "event": "error",
                           "message": f"{typed} has no config.json; pick a checkpoint folder"})
        await wait_for(pilot, lambda: "has no config.json; pick a checkpoint folder" in screen_words(app),
                       timeout=20, what="the reason on screen at 80 columns (wrapped to 2 lines)")


async def test_a_checkpoint_its_live_run_pruned_is_replaced_by_the_runs_newest(fixture_runs):
    """tester7 H10: the preselected newest checkpoint of a training run was pruned (keep_last) by
    the time of ctrl+g: an error, and then no model at all. Now the run's newest is used, and said so."""
    import json

    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(120, 40)) as pilot:
        picker = app.query_one("#gen-model", Select)
        await wait_for(pilot, lambda: not picker.is_blank(), what="the newest LM chosen")
        old = Path(str(picker.value))
        new = old.parent / "step-00000400"
        shutil.copytree(old, new)  # the run saves step 400 and prunes step 300 (keep_last = 1)
        meta = json.loads((new / "meta.json").read_text())
        (new / "meta.json").write_text(json.dumps({**meta, "step": 400}))
        shutil.rmtree(old)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: str(picker.value) == str(new), what="the picker on the run's newest")
        notice = "fixture-lm@300 is gone (pruned by its run?); using fixture-lm@400, its newest"
        await wait_for(pilot, lambda: notice in [n.message for n in app._notifications], what="the notice")
        assert "pick a model first" not in screen_words(app)


async def test_a_checkpoint_pruned_while_away_is_replaced_by_the_runs_newest_on_return(fixture_runs):
    """The picked checkpoint pruned while the user was on another pane: coming back to Generate
    (its model list reloads) shows the run's newest, said so, not an empty picker."""
    import json

    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(120, 40)) as pilot:
        picker = app.query_one("#gen-model", Select)
        await wait_for(pilot, lambda: not picker.is_blank(), what="the newest LM chosen")
        old = Path(str(picker.value))
        await pilot.press("2")
        await wait_for(pilot, lambda: app.query_one("TabbedContent").active == "runs", what="Runs")
        new = old.parent / "step-00000400"
        shutil.copytree(old, new)
        meta = json.loads((new / "meta.json").read_text())
        (new / "meta.json").write_text(json.dumps({**meta, "step": 400}))
        shutil.rmtree(old)
        await pilot.press("4")
        await wait_for(pilot, lambda: str(picker.value) == str(new), what="the picker on the run's newest")
        notice = "fixture-lm@300 is gone (pruned by its run?); using fixture-lm@400, its newest"
        await wait_for(pilot, lambda: notice in [n.message for n in app._notifications], what="the notice")
