"""`train RECIPE --run-id ID` where ID is an existing run (tester6 G26).

Such a launch trains the existing run from its own config.toml, so unless it restarts node 0 of a
multi-node run with that same recipe it is refused in one line that points to `aigc-tui resume`:
a pasted wrong id must not train somebody else's run, ignoring the recipe and the --set values.
"""

from __future__ import annotations

import pytest
from helpers import TINY_GAN, merge, write_recipe
from lm_fixtures import TINY_LM

from aigc_tui.cli import main
from aigc_tui.commands.train_cmd import check_restart
from aigc_tui.config import load_recipe
from aigc_tui.errors import ConfigError
from aigc_tui.launch import new_run
from aigc_tui.runs.status import RunState, update_status

TWO_NODES = {"nnodes": 2, "rdzv_endpoint": "127.0.0.1:29400"}


def _stopped_run(root, recipe, run_id):
    """A stopped run with steps left, as the one the tester's LM recipe trained."""
    run = new_run(root, load_recipe(recipe), run_id=run_id)

    def stop(status):
        status.state = RunState.STOPPED
        return True

    update_status(run.path, stop)
    return run


def _refused(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def _snapshot(run):
    return (run.path / "config.toml").read_text(), run.status().state, run.status().step, run.checkpoints()


@pytest.mark.parametrize("other", ["lm", "same-gan"])
def test_an_existing_run_id_is_refused_outside_a_multi_node_restart(tmp_path, capsys, monkeypatch, other):
    monkeypatch.chdir(tmp_path)
    gan = write_recipe(tmp_path / "gan.toml", merge(TINY_GAN, run={"steps": 50, "checkpoint_every": 0,
                                                                   "sample_every": 0}))
    runs = tmp_path / "runs"
    victim = _stopped_run(runs, gan, "victim-gan")
    before = _snapshot(victim)
    recipe = write_recipe(tmp_path / "lm.toml", TINY_LM) if other == "lm" else gan
    line = _refused(["train", str(recipe), "--run-id", "victim-gan", "--set", "run.steps=5",
                     "--runs-dir", str(runs)], capsys)
    assert "run victim-gan already exists (a gan run)" in line, line
    assert "aigc-tui resume victim-gan" in line, line
    assert _snapshot(victim) == before  # nothing trained, config.toml untouched
    assert sorted(p.name for p in runs.iterdir() if not p.name.startswith(".")) == ["victim-gan"]


def test_a_multi_node_restart_must_bring_the_runs_own_recipe(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gan = write_recipe(tmp_path / "gan.toml", merge(TINY_GAN, run={"steps": 50, **TWO_NODES}))
    runs = tmp_path / "runs"
    run = _stopped_run(runs, gan, "two-nodes")
    before = _snapshot(run)
    line = _refused(["train", str(gan), "--run-id", "two-nodes", "--set", "run.steps=5", "--set", "train.lr_g=0.5",
                     "--runs-dir", str(runs)], capsys)
    assert "run two-nodes already exists (a gan run): this recipe differs from its config.toml in run.steps, " \
           "train.lr_g" in line, line
    assert _snapshot(run) == before
    # the same recipe restarts it (a new rendezvous port is fine), as test_distributed's nodes do
    check_restart(run, load_recipe(gan, ['run.rdzv_endpoint="127.0.0.1:29401"']))
    with pytest.raises(ConfigError, match=r"\(a gan run\): this recipe.s kind is lm"):
        check_restart(run, load_recipe(write_recipe(tmp_path / "lm.toml", merge(TINY_LM, run=TWO_NODES))))
