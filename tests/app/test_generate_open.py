"""`g` on a checkpoint opens Generate on that checkpoint, also the first time in a fresh app
(the pane's first model listing raced the selecting one and the choice was lost: tester5 F2);
a script's registered files are not offered to Generate (tester5 F9)."""

from __future__ import annotations

import json

from fixture_runs import FIXED_NOW, make_encoder_fixture_runs, make_fixture_runs
from pilot_wait import settle, wait_for
from screen_text import screen_text
from textual.widgets import Select, Tree

from aigc_tui.runs import list_runs
from aigc_tui.track.media import register_checkpoint
from aigc_tui.ui.app import make_app


def _checkpoint(root, run_name, step):
    run = next(r for r in list_runs(root) if r.name == run_name)
    return next(c for c in run.checkpoints() if c.step == step)


def _script_run(root):
    """A finished script run that registered a folder of its own files (not a model) as step 88."""
    run = root / "20260101-000500-fixture-script-ffff"
    for sub in ("checkpoints", "samples", "control"):
        (run / sub).mkdir(parents=True)
    (run / "config.toml").write_text('kind = "script"\nname = "fixture-script"\n[script]\ncommand = ["python"]\n')
    (run / "status.json").write_text(json.dumps({"state": "finished", "host": "fixture-host", "step": 88,
                                                 "started_at": FIXED_NOW - 600, "ended_at": FIXED_NOW - 60}))
    out = root / "script-out"
    out.mkdir()
    (out / "w.txt").write_text("0.5\n")
    register_checkpoint(run, out, 88, {"loss": 1.0})
    return _checkpoint(root, "fixture-script", 88)


async def _cursor_on(pilot, app, path) -> None:
    tree = app.query_one(Tree)

    def there() -> bool:
        node = tree.cursor_node
        if node is not None and getattr(node.data, "path", None) == path:
            return True
        for run_node in tree.root.children:
            run_node.expand()
            for node in (run_node, *run_node.children):
                if getattr(node.data, "path", None) == path:
                    tree.move_cursor(node)
        return False

    await wait_for(pilot, there, what=f"the cursor on {path.name}")


async def _g_in_a_fresh_app(root, ckpt, runs: int) -> tuple:
    """Start the app, `3`, the cursor on `ckpt`, `g`: the app, once Generate shows a model, or None."""
    app = make_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: len(app.query_one(Tree).root.children) == runs, what="the tree")
        await _cursor_on(pilot, app, ckpt.path)
        await pilot.press("g")
        await wait_for(pilot, lambda: app.query_one("TabbedContent").active == "generate", what="Generate")
        model = app.query_one("#gen-model", Select)
        await settle(pilot, lambda: not model.is_blank())
        return str(model.value), screen_text(app), [app.query_one(c).display for c in ("#gan-controls",
                                                                                         "#enc-controls")]


async def test_first_g_in_a_fresh_app_opens_generate_on_the_chosen_checkpoint(tmp_path):
    root = make_encoder_fixture_runs(make_fixture_runs(tmp_path / "runs"))  # an LM, a GAN, an MLM, a classifier
    wanted = [(_checkpoint(root, "fixture-gan", 200), "fixture-gan@200 (gan)", [True, False]),
              (_checkpoint(root, "fixture-classify", 100), "fixture-classify@100 (classify)", [False, True])]
    for _ in range(3):  # a race: a few fresh apps each
        for ckpt, label, controls in wanted:
            value, screen, shown = await _g_in_a_fresh_app(root, ckpt, runs=4)  # not the failed run (none)
            assert value == str(ckpt.path)
            assert label in screen  # what the picker shows
            assert shown == controls  # the GAN's grid controls, the classifier's text box


async def test_a_listing_started_after_open_checkpoint_keeps_the_chosen_checkpoint(tmp_path):
    """What a busy box does to `g`: the tab's own reload lands in the same tick as the selecting one,
    and the exclusive worker group cancels the selecting one before it ever ran."""
    root = make_encoder_fixture_runs(make_fixture_runs(tmp_path / "runs"))
    ckpt = _checkpoint(root, "fixture-gan", 200)
    app = make_app(root, initial_tab="generate")
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one("GeneratePane")
        model = app.query_one("#gen-model", Select)
        await settle(pilot, lambda: not model.is_blank())  # the default: the newest LM
        pane.open_checkpoint(ckpt)
        pane.action_reload_models()  # the tab activation's reload (or ctrl+r) right behind it
        await settle(pilot, lambda: model.value == str(ckpt.path), timeout=20)
        assert app.query_one("#gan-controls").display
        pane.action_reload_models()  # later reloads keep it
        await settle(pilot, lambda: True)
        assert model.value == str(ckpt.path)


async def test_a_scripts_registered_files_are_not_offered_to_generate(tmp_path):
    root = make_fixture_runs(tmp_path / "runs")
    script = _script_run(root)
    app = make_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: len(app.query_one(Tree).root.children) == 3, what="the tree")  # not the failed run
        await _cursor_on(pilot, app, script.path)
        await pilot.press("g")
        await wait_for(pilot, lambda: app._notifications, what="a notification")
        notes = [str(n.message) for n in app._notifications]
        assert notes == ["fixture-script/step-00000088 is not a model Generate can load (a script's registered files)"]
        assert app.query_one("TabbedContent").active == "checkpoints"
        await pilot.press("4")
        model = app.query_one("#gen-model", Select)
        await settle(pilot, lambda: not model.is_blank())
        labels = [str(prompt) for prompt, _ in model._options]
        assert "fixture-lm@300 (lm)" in labels and "fixture-gan@400 (gan)" in labels
        assert not [label for label in labels if "script" in label], labels
