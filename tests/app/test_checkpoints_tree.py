"""The Checkpoints tree stays true to the disk: a reload keeps the user's place by identity,
an action refuses a checkpoint that is gone, and a live run's new checkpoints show up by themselves."""

from __future__ import annotations

import json
import os
import shutil
import socket

from fixture_runs import _checkpoint
from pilot_wait import text_of, wait_for
from textual.widgets import Tree

from aigc_tui.runs import list_runs
from aigc_tui.runs.status import process_start_time
from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.checkpoints import CheckpointsPane


def _run(root, name):
    return next(r for r in list_runs(root) if r.name == name)


def _live_here(run_dir) -> None:
    """Mark the run running, with this test's own process standing in for its worker."""
    status = json.loads((run_dir / "status.json").read_text())
    status |= {"state": "running", "pid": os.getpid(), "pid_start": process_start_time(os.getpid()),
               "host": socket.gethostname(), "ended_at": None}
    (run_dir / "status.json").write_text(json.dumps(status))


async def _select(pilot, app, path) -> None:
    tree = app.query_one(Tree)

    def selected() -> bool:
        node = tree.cursor_node
        if node is not None and getattr(node.data, "path", None) == path:
            return True
        for run_node in tree.root.children:
            run_node.expand()
            for node in (run_node, *run_node.children):
                if getattr(node.data, "path", None) == path:
                    tree.move_cursor(node)
        return False

    await wait_for(pilot, selected, what=f"{path.name} selected")


def _notified(app, text: str) -> bool:
    return any(text in str(n.message) for n in app._notifications)


async def test_a_gone_checkpoint_is_refused_and_the_cursor_stays_on_its_run(fixture_runs):
    """Seen: after a reload the cursor kept its row (now another run) while the panel showed the
    old checkpoint, and `g` on a pruned checkpoint opened Generate on some other model."""
    app = make_app(fixture_runs, initial_tab="checkpoints")
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(Tree)
        await wait_for(pilot, lambda: len(tree.root.children) == 2, what="the tree")  # the failed run has none
        gan = _run(fixture_runs, "fixture-gan")
        newest = gan.checkpoints()[-1]
        await _select(pilot, app, newest.path)
        shutil.rmtree(newest.path)  # pruned by the run's keep_last, or deleted by hand
        await pilot.press("g")
        await wait_for(pilot, lambda: _notified(app, f"{newest.name} no longer exists"), what="the refusal")
        assert app.query_one("TabbedContent").active == "checkpoints"
        await wait_for(pilot, lambda: tree.cursor_node is not None and tree.cursor_node.data.path == gan.path,
                       what="the cursor on the checkpoint's run")
        await wait_for(pilot, lambda: text_of(app, "#ckpt-detail").startswith("fixture-gan  gan  1 checkpoint"),
                       what="the panel showing what the cursor is on")

        await pilot.press("2", "3")  # a visit reloads the tree: same place, same expansion
        lm = _run(fixture_runs, "fixture-lm")
        await _select(pilot, app, lm.checkpoints()[-1].path)
        expanded = {n.data.path for n in tree.root.children if n.is_expanded}
        app.query_one(CheckpointsPane).load_tree()
        shutil.rmtree(gan.checkpoints()[-1].path)  # a change, so the reload rebuilds the tree
        await wait_for(pilot, lambda: all(n.data.path != gan.path for n in tree.root.children),
                       what="the rebuild (its last checkpoint gone, the run is no longer listed)")
        assert text_of(app, "#ckpt-hidden") == "2 runs with no checkpoint not listed"
        assert tree.cursor_node.data.path == lm.checkpoints()[-1].path
        assert {n.data.path for n in tree.root.children if n.is_expanded} == expanded - {gan.path}


async def test_a_live_runs_new_checkpoints_show_up_without_a_key(fixture_runs):
    gan = _run(fixture_runs, "fixture-gan")
    _live_here(gan.path)
    app = make_app(fixture_runs, initial_tab="checkpoints")
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(Tree)

        def gan_label() -> str:
            return next((str(n.label) for n in tree.root.children if n.data.path == gan.path), "")

        await wait_for(pilot, lambda: "2 checkpoint(s)" in gan_label(), what="the tree")
        newest = gan.checkpoints()[-1].path
        shutil.copytree(newest, newest.parent / "step-00000600")
        await wait_for(pilot, lambda: "3 checkpoint(s)" in gan_label(), what="the new checkpoint, unasked")


async def test_a_checkpoint_line_shows_whole_values_only_at_80x24(fixture_runs):
    """At 80x24 the tree cut "loss_d 0.946" to "loss_d 0": now a line holds whole parts only
    (the name, one metric, then what else fits), refitted when the terminal grows."""
    gan = _run(fixture_runs, "fixture-gan")
    for ckpt in gan.checkpoints():
        meta = json.loads((ckpt.path / "meta.json").read_text())
        meta["metrics"] = {"loss_d": 0.9458737, "loss_g": 1.2345678}
        (ckpt.path / "meta.json").write_text(json.dumps(meta))
    app = make_app(fixture_runs, initial_tab="checkpoints")
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.query_one(Tree)
        await wait_for(pilot, lambda: len(tree.root.children) == 2, what="the tree")  # the failed run has none
        await _select(pilot, app, gan.checkpoints()[-1].path)

        def lines() -> list[str]:
            return ["".join(seg.text for seg in tree.render_line(y)) for y in range(tree.size.height)]

        def leaf_lines() -> list[str]:
            return [line for line in lines() if "step-00000" in line and "fixture-gan" not in line]

        await wait_for(pilot, lambda: len([x for x in leaf_lines() if "step-00000400" in x or "step-00000200" in x]) == 2,
                       what="the GAN's checkpoints")
        for line in leaf_lines():
            if "step-00000400" in line or "step-00000200" in line:
                assert "loss_d 0.946" in line, line  # the metric whole, never "loss_d 0"
                assert "loss_g 1" not in line or "loss_g 1.23" in line, line
        await pilot.resize_terminal(160, 40)
        await wait_for(pilot, lambda: any("loss_g 1.23" in x and "weights only" in x for x in leaf_lines()),
                       what="the whole line when wide")


async def test_the_runs_of_a_sweep_are_told_apart_by_their_values_at_80x24(runs_dir):
    """Every run of `aigc-tui sweep ... --set train.lr_g=...` read `mlp-gan-digits  gan  0 checkpoint(s)`."""
    from aigc_tui.runs import create_run

    for lr, batch in (("0.0001", 32), ("0.0002", 32), ("0.0005", 64)):
        run = create_run(runs_dir, 'kind = "gan"\nname = "mlp-gan-digits"\n'
                                   '[run]\nsweep = "sw-1"\nsweep_keys = ["train.lr_g", "train.batch_size"]\n'
                                   f'[train]\nlr_g = {lr}\nbatch_size = {batch}\n', "mlp-gan-digits")
        _checkpoint(run.path, 10, "gan", {"loss_d": 1.0})  # a run with none is not listed
    app = make_app(runs_dir, initial_tab="checkpoints")
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.query_one(Tree)

        def lines() -> list[str]:
            return ["".join(seg.text for seg in tree.render_line(y)).rstrip() for y in range(tree.size.height)]

        want = ["lr_g=0.0001 batch_size=32", "lr_g=0.0002 batch_size=32", "lr_g=0.0005 batch_size=64"]
        await wait_for(pilot, lambda: all(any(w in line for line in lines()) for w in want), what="each run's values",
                       timeout=30)
        assert all(line.startswith("▼ mlp-gan-di") for line in lines() if "lr_g=" in line)  # the name, cut to fit
        await pilot.resize_terminal(160, 40)
        await wait_for(pilot, lambda: any("mlp-gan-digits  lr_g=0.0005 batch_size=64  gan  1 checkpoint(s)" in x
                                          for x in lines()), what="the whole line when wide", timeout=30)


async def test_deleting_a_live_runs_newest_checkpoint_is_refused_before_asking(fixture_runs):
    """Tester6 G23: `d` asked "Delete checkpoint …? (y/n)" and only after `y` said it could not."""
    from aigc_tui.ui.confirm import ConfirmScreen

    gan = _run(fixture_runs, "fixture-gan")
    _live_here(gan.path)
    app = make_app(fixture_runs, initial_tab="checkpoints")
    async with app.run_test(size=(120, 40)) as pilot:
        newest = gan.checkpoints()[-1]
        await _select(pilot, app, newest.path)
        await pilot.press("d")
        await wait_for(pilot, lambda: _notified(app, "live run's newest checkpoint; stop the run first"),
                       what="the refusal")
        assert not isinstance(app.screen, ConfirmScreen) and newest.path.is_dir()


async def test_same_named_runs_are_told_apart_by_their_id_tail_in_the_tree_and_generates_picker(fixture_runs):
    """Two launches of one recipe read `fixture-gan  gan  2 checkpoint(s)` twice in the tree and
    `fixture-gan@400 (gan)` twice in Generate's picker (tester6 G7)."""
    from textual.widgets import Select

    again = shutil.copytree(fixture_runs / "20260101-000000-fixture-gan-aaaa",
                            fixture_runs / "20260101-000300-fixture-gan-dddd")
    app = make_app(fixture_runs, initial_tab="checkpoints")
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.query_one(Tree)
        await wait_for(pilot, lambda: len(tree.root.children) == 3, what="the tree")  # not the failed run (none)

        def heads() -> list[str]:
            return [str(node.label) for node in tree.root.children]

        await wait_for(pilot, lambda: {"fixture-gan ~dddd  gan  2 checkpoint(s)", "fixture-gan ~aaaa  gan  2 checkpoint(s)",
                                       "fixture-lm  lm  1 checkpoint(s)"} <= set(heads()), what="told apart")
        await _select(pilot, app, (again / "checkpoints" / "step-00000400"))
        await pilot.press("g")
        model = app.query_one("#gen-model", Select)
        await wait_for(pilot, lambda: str(model.value).startswith(str(again)), what="Generate on the copy")
        labels = [str(prompt) for prompt, _ in model._options]
        assert {"fixture-gan ~dddd@400 (gan)", "fixture-gan ~aaaa@400 (gan)", "fixture-lm@300 (lm)"} <= set(labels)
        # (a name no other run has, fixture-lm, stays as it is in both)


async def test_same_named_runs_whose_id_tails_match_are_told_apart_by_their_date_time(fixture_runs):
    """A run copied under a new timestamp keeps its id's tail: `fixture-gan ~aaaa` read twice
    (tester7 H13 addendum). Where tails repeat, the ids' date-time tells the runs apart."""
    source = fixture_runs / "20260101-000000-fixture-gan-aaaa"
    shutil.copytree(source, fixture_runs / "20260101-000600-fixture-gan-aaaa")
    shutil.copytree(source, fixture_runs / "20260101-000300-fixture-gan-dddd")
    app = make_app(fixture_runs, initial_tab="checkpoints")
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.query_one(Tree)
        await wait_for(pilot, lambda: len(tree.root.children) == 4, what="the tree")
        told = {"fixture-gan ~20260101-000000  ", "fixture-gan ~20260101-000600  ", "fixture-gan ~dddd  "}
        # each line starts with its name and what tells it apart (the kind gives way first where the tree is narrow)
        await wait_for(pilot, lambda: told <= {str(node.label)[:len(t)] for node in tree.root.children for t in told},
                       what="told apart")
