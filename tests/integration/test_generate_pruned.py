"""`generate RUN` on a live run: the worker may prune the checkpoint generate resolved before it
is loaded (tester6 G29). The prune is made to happen exactly in that window."""

from __future__ import annotations

import shutil

import pytest
from helpers import merge, write_recipe
from lm_fixtures import TINY_LM

import aigc_tui.models.lm as lm
from aigc_tui.cli import main
from aigc_tui.runs import find_run

RECIPE = merge(TINY_LM, name="pruny", run={"steps": 4, "log_every": 2, "checkpoint_every": 2, "keep_last": 2,
                                           "keep_best": ""}, train={"eval_every": 2})


@pytest.fixture
def run(tmp_path, runs_dir):
    assert main(["train", str(write_recipe(tmp_path / "r.toml", RECIPE)), "--runs-dir", str(runs_dir)]) == 0
    found = find_run(runs_dir, "pruny")
    assert [c.name for c in found.checkpoints()] == ["step-00000002", "step-00000004"]
    return found


@pytest.fixture
def prune_on_load(monkeypatch):
    """The first load finds its checkpoint pruned (deleted after it was resolved)."""
    real, pruned = lm.load_pretrained, []

    def load(location, *args, **kwargs):
        if not pruned:
            pruned.append(location)
            shutil.rmtree(location)
        return real(location, *args, **kwargs)

    monkeypatch.setattr(lm, "load_pretrained", load)
    return pruned


def test_generate_run_loads_its_newest_checkpoint_when_the_resolved_one_was_pruned(run, runs_dir, prune_on_load,
                                                                                   capsys):
    assert main(["generate", "pruny", "def ", "--max-new-tokens", "3", "--device", "cpu",
                 "--runs-dir", str(runs_dir)]) == 0, capsys.readouterr().err
    assert prune_on_load == [str(run.checkpoints_dir / "step-00000004")]
    assert capsys.readouterr().out.startswith("def ")


def test_generate_of_a_named_checkpoint_that_was_pruned_says_so_in_one_line(run, runs_dir, prune_on_load, capsys):
    assert main(["generate", "pruny@step-00000004", "def ", "--max-new-tokens", "3", "--device", "cpu",
                 "--runs-dir", str(runs_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: checkpoint step-00000004 of pruny was pruned (keep_last = 2) while loading; "
                   "its newest is step-00000002"], err
