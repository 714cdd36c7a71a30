"""The pretrain-then-fine-tune path in the app: classify and fill-mask in Generate, fork with
weights and fine-tune from here in Checkpoints, lineage and the confusion matrix in Runs."""

from __future__ import annotations

import shutil
import threading

import pytest
from encoder_fixtures import TINY_CLASSIFY, TINY_MLM
from helpers import write_recipe
from pilot_wait import text_of, wait_for
from textual.widgets import Button, Input, RadioButton, Select, Tree

from aigc_tui.cli import main
from aigc_tui.runs import find_run, list_runs
from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.checkpoints import CheckpointsPane
from aigc_tui.ui.panes.launch import LaunchPane


@pytest.fixture
def encoder_runs(tmp_path, runs_dir):
    for recipe in (TINY_MLM, TINY_CLASSIFY):
        path = write_recipe(tmp_path / f"{recipe['name']}.toml", recipe)
        assert main(["train", str(path), "--runs-dir", str(runs_dir)]) == 0
    return find_run(runs_dir, "tiny-mlm"), find_run(runs_dir, "tiny-classify")


async def _select_checkpoint(pilot, app, ckpt) -> None:
    """Move the tree's cursor to `ckpt` until it stays there (a tab switch reloads the tree)."""
    pane = app.query_one(CheckpointsPane)

    def selected() -> bool:
        if pane.selected is not None and pane.selected.path == ckpt.path:
            return True
        tree = app.query_one(Tree)
        for run_node in tree.root.children:
            run_node.expand()
            for leaf in run_node.children:
                if getattr(leaf.data, "path", None) == ckpt.path:
                    tree.move_cursor(leaf)
        return False

    await wait_for(pilot, selected, what=f"{ckpt.name} selected")


async def test_generate_classifies_and_fills_masks(encoder_runs, runs_dir):
    mlm, classifier = encoder_runs
    app = make_app(runs_dir, initial_tab="generate")
    async with app.run_test(size=(120, 40)) as pilot:
        model = app.query_one("#gen-model", Select)
        path = str(classifier.checkpoints()[-1].path)
        await wait_for(pilot, lambda: path in app.query_one("GeneratePane").kinds, what="the checkpoints")
        model.value = path
        await wait_for(pilot, lambda: app.query_one("#enc-controls").display, what="the classifier view")
        assert not app.query_one("#lm-controls").display
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: "sum to 1.000" in text_of(app, "#enc-status"), what="the probabilities")
        result = text_of(app, "#enc-result")
        assert "asyncio" in result and "logging" in result and "█" in result
        model.value = str(mlm.checkpoints()[-1].path)
        await wait_for(pilot, lambda: "Fill mask" in str(app.query_one("#enc-go", Button).label), what="fill-mask")
        await pilot.click("#enc-go")
        await wait_for(pilot, lambda: "mask 1:" in text_of(app, "#enc-result"), what="the guesses")


async def test_checkpoints_fork_with_weights_and_fine_tune_from_here(encoder_runs, runs_dir):
    mlm, classifier = encoder_runs
    app = make_app(runs_dir, initial_tab="checkpoints")
    async with app.run_test(size=(120, 40)) as pilot:
        tabs = app.query_one("TabbedContent")
        await wait_for(pilot, lambda: len(app.query_one(Tree).root.children) == 2, what="the tree")
        await _select_checkpoint(pilot, app, mlm.checkpoints()[-1])
        await pilot.press("t")  # fine-tune from here: an MLM checkpoint becomes a classifier
        await wait_for(pilot, lambda: tabs.active == "launch", what="Launch")
        launch = app.query_one(LaunchPane)
        await wait_for(pilot, lambda: launch.recipe_data.get("kind") == "classify" and launch.config is not None,
                       what="the fine-tune recipe, validated")
        assert launch.recipe_data["model"]["pretrained"] == str(mlm.checkpoints()[-1].path)
        assert app.query_one("#run-name", Input).value == "tiny-mlm-classify"
        assert not app.query_one("#start", Button).disabled

        await pilot.press("3")
        await _select_checkpoint(pilot, app, classifier.checkpoints()[-1])
        await pilot.press("f")
        await wait_for(pilot, lambda: app.screen.query("#fork-how"), what="the fork dialog")
        await pilot.click("#fork-go")  # config only, the default: its config in Launch
        await wait_for(pilot, lambda: tabs.active == "launch" and launch.recipe_data.get("name") == "tiny-classify-fork",
                       what="the forked config in Launch")

        await pilot.press("3")
        await _select_checkpoint(pilot, app, classifier.checkpoints()[-1])
        await pilot.press("f")
        await wait_for(pilot, lambda: app.screen.query("#fork-how"), what="the fork dialog")
        app.screen.query_one("#fork-weights", RadioButton).value = True
        app.screen.query_one("#fork-steps", Input).value = "4"
        await pilot.pause()
        await pilot.click("#fork-go")
        new = await wait_for(pilot, lambda: [r for r in list_runs(runs_dir) if r.status().parent], what="the fork")
        (fork,) = [r for r in new if r.status().parent.get("how") == "fork"]
        await wait_for(pilot, lambda: not fork.status().state.is_live, what="the forked run to end")
        assert fork.status().parent["weights"] is True and fork.status().step == 4 and fork.name == "tiny-classify-fork"
        assert "starting from the weights of" in fork.log_path.read_text()
        await wait_for(pilot, lambda: tabs.active == "runs", what="Runs")
        await wait_for(pilot, lambda: "(fork with weights)" in text_of(app, "#run-header"), what="the lineage")
        await wait_for(pilot, lambda: "baseline" in text_of(app, "#sample-text"), what="the confusion")

def _notified(app, text: str) -> bool:
    return any(text in str(n.message) for n in app._notifications)


async def test_bad_choices_get_one_line_messages(tmp_path, fixture_runs):
    """No checkpoint selected, a GAN checkpoint to fine-tune, an empty text box: a message each."""
    from fixture_runs import make_encoder_fixture_runs

    make_encoder_fixture_runs(fixture_runs)
    app = make_app(fixture_runs, initial_tab="checkpoints")
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.query_one(Tree)
        await wait_for(pilot, lambda: len(tree.root.children) == 4, what="the tree")  # not the failed run (none)
        await pilot.press("t")
        await wait_for(pilot, lambda: _notified(app, "select a checkpoint first"), what="no checkpoint: t")
        app._notifications.clear()
        await pilot.press("f")
        await wait_for(pilot, lambda: _notified(app, "select a checkpoint first"), what="no checkpoint: f")
        gan = next(r for r in list_runs(fixture_runs) if r.name == "fixture-gan")
        await _select_checkpoint(pilot, app, gan.checkpoints()[-1])
        await pilot.press("t")
        await wait_for(pilot, lambda: _notified(app, "a gan checkpoint has no fine-tune recipe"), what="GAN: t")
        assert app.query_one("TabbedContent").active == "checkpoints"

        await pilot.press("4")
        pane = app.query_one("GeneratePane")
        await wait_for(pilot, lambda: pane.kinds, what="the checkpoints in Generate")
        app.query_one("#gen-model", Select).value = next(p for p, k in pane.kinds.items() if k == "classify")
        await wait_for(pilot, lambda: app.query_one("#enc-controls").display, what="the classifier view")
        app.query_one("#enc-text").text = "   "
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: "type a text first" in text_of(app, "#enc-status"), what="empty text")
        app.query_one("#gen-model", Select).value = next(p for p, k in pane.kinds.items() if k == "mlm")
        await wait_for(pilot, lambda: "Fill mask" in str(app.query_one("#enc-go", Button).label), what="fill-mask")
        app.query_one("#enc-text").text = "no mask here"
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: "put a [MASK] in the text" in text_of(app, "#enc-status"), what="no mask")


async def test_a_reload_keeps_the_selected_checkpoint(fixture_runs):
    """Checkpoints reloads on every visit (new checkpoints appear): the cursor stays where it was."""
    app = make_app(fixture_runs, initial_tab="checkpoints")
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.query_one(Tree)
        await wait_for(pilot, lambda: len(tree.root.children) == 2, what="the tree")  # not the failed run (none)
        gan = next(r for r in list_runs(fixture_runs) if r.name == "fixture-gan")
        await _select_checkpoint(pilot, app, gan.checkpoints()[0])
        before = list(tree.root.children)
        pane = app.query_one(CheckpointsPane)
        lm = next(r for r in list_runs(fixture_runs) if r.name == "fixture-lm")
        newest = lm.checkpoints()[-1].path
        shutil.copytree(newest, newest.parent / "step-00009999")  # something new: the tree is rebuilt
        pane.load_tree()
        await wait_for(pilot, lambda: list(tree.root.children) != before, what="the reload")
        assert pane.selected is not None and pane.selected.path == gan.checkpoints()[0].path


async def test_fork_with_weights_checks_off_the_ui_thread(fixture_runs, monkeypatch):
    """The fork's check (data, model, shapes: seconds for a classifier's labels) runs on a thread:
    the dialog says it is checking, keys are answered meanwhile, and its error is shown as before."""
    from fixture_runs import make_encoder_fixture_runs

    from aigc_tui.ui import ckpt_fork

    make_encoder_fixture_runs(fixture_runs)  # its classifier's model.pretrained is not a real model: refused
    real, gates, entered = ckpt_fork.fork_run, [], threading.Event()

    def held_fork_run(*args, **kwargs):
        """The real check, held until the test has pressed its keys (30 s only if it never lets go)."""
        gate = threading.Event()
        gates.append(gate)
        entered.set()
        gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(ckpt_fork, "fork_run", held_fork_run)
    app = make_app(fixture_runs, initial_tab="checkpoints")
    async with app.run_test(size=(120, 40)) as pilot:
        tabs = app.query_one("TabbedContent")
        await wait_for(pilot, lambda: len(app.query_one(Tree).root.children) == 4, what="the tree")  # not the failed run
        classifier = next(r for r in list_runs(fixture_runs) if r.name == "fixture-classify")
        await _select_checkpoint(pilot, app, classifier.checkpoints()[-1])

        async def fork_with_weights():
            await pilot.press("f")
            await wait_for(pilot, lambda: app.screen.query("#fork-how"), what="the fork dialog")
            app.screen.query_one("#fork-weights", RadioButton).value = True
            await pilot.pause()
            entered.clear()
            await pilot.click("#fork-go")
            await wait_for(pilot, lambda: "checking" in text_of(app.screen, "#fork-error"), what="'checking' shown")
            await wait_for(pilot, entered.is_set, what="the check to start")
            assert app.screen.query_one("#fork-go", Button).disabled

        await fork_with_weights()
        focused = app.focused
        await pilot.press("tab")  # the dialog answers while the check runs
        await wait_for(pilot, lambda: app.focused is not focused, what="tab answered during the check")
        gates[-1].set()
        await wait_for(pilot, lambda: "is not a save_pretrained directory" in text_of(app.screen, "#fork-error"),
                       what="the error in the dialog")
        assert _notified(app, "is not a save_pretrained directory")
        assert not app.screen.query_one("#fork-go", Button).disabled  # fix it or try again

        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.screen.query("#fork-how"), what="the dialog closed")
        app._notifications.clear()
        await fork_with_weights()
        await pilot.press("escape")  # leave the dialog while it checks, and go elsewhere
        await wait_for(pilot, lambda: not app.screen.query("#fork-how"), what="the dialog closed while checking")
        await pilot.press("1")
        await wait_for(pilot, lambda: tabs.active == "launch", what="Launch during the check")
        gates[-1].set()
        await wait_for(pilot, lambda: _notified(app, "is not a save_pretrained directory"), what="the error, notified")
        assert tabs.active == "launch" and len(gates) == 2


async def test_copy_in_an_encoder_view_never_copies_the_hidden_lm_text(fixture_runs):
    """ctrl+y in the fill-mask view copied the previous LM generation, hidden behind it (E19)."""
    from fixture_runs import make_encoder_fixture_runs

    make_encoder_fixture_runs(fixture_runs)
    app = make_app(fixture_runs, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one("GeneratePane")
        app.query_one("#gen-output").text = "def an earlier generation"
        await wait_for(pilot, lambda: pane.kinds, what="the checkpoints")
        app.query_one("#gen-model", Select).value = next(p for p, k in pane.kinds.items() if k == "mlm")
        await wait_for(pilot, lambda: app.query_one("#enc-controls").display, what="the fill-mask view")
        await pilot.press("escape", "ctrl+y")
        await wait_for(pilot, lambda: _notified(app, "nothing to copy"), what="the answer")
        assert app.clipboard == ""
