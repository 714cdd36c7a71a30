"""Runs that continue: extend a finished run, fork with or without weights, fine-tune our own GPT."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers import merge, write_recipe
from lm_fixtures import TINY_LM

from aigc_tui.cli import main
from aigc_tui.config import load_recipe
from aigc_tui.runs import MetricsReader, RunState, find_run, list_runs

PARENT = merge(TINY_LM, run={"steps": 40, "log_every": 5, "checkpoint_every": 20, "keep_best": ""},
               train={"eval_every": 20})


def _losses(run) -> list[float]:
    reader = MetricsReader(run.path)
    reader.poll()
    return reader.series["loss"].values


@pytest.fixture
def parent_run(tmp_path, runs_dir):
    path = write_recipe(tmp_path / "parent.toml", PARENT)
    assert main(["train", str(path), "--runs-dir", str(runs_dir)]) == 0
    return find_run(runs_dir, "tiny-lm")


def test_extending_a_finished_run_trains_the_new_steps_and_says_so(parent_run, runs_dir, capsys):
    assert main(["resume", parent_run.id, "--runs-dir", str(runs_dir)]) == 2
    assert "--set run.steps=N" in capsys.readouterr().err
    assert main(["resume", parent_run.id, "--set", "run.steps=50", "--runs-dir", str(runs_dir)]) == 0
    status = parent_run.status()
    assert (status.state, status.step, status.total_steps) == (RunState.FINISHED, 50, 50)
    assert parent_run.checkpoints()[-1].step == 50
    log = parent_run.log_path.read_text()
    assert "run.steps changed from 40 to 50; LR schedule recomputed over 50 steps" in log
    reader = MetricsReader(parent_run.path)
    reader.poll()
    assert [int(s) for s in reader.series["loss"].steps[-2:]] == [45, 50]
    assert find_run(runs_dir, "tiny-lm") == parent_run  # still the newest run of its name, no copy made


def test_resume_refuses_to_change_the_model_and_to_shrink(parent_run, runs_dir, capsys):
    assert main(["resume", parent_run.id, "--set", "model.n_layer=3", "--runs-dir", str(runs_dir)]) == 2
    assert "fork the run to change its model" in capsys.readouterr().err
    assert main(["resume", parent_run.id, "--set", "run.steps=30", "--runs-dir", str(runs_dir)]) == 2
    assert ("run tiny-lm would resume at step 40 (step-00000040), but run.steps=30 asks for 30 steps in all; "
            "give run.steps above 40") in capsys.readouterr().err  # not "already trained all 30" (tester5 F5)
    assert load_recipe(parent_run.config_path).run.steps == 40


def test_resume_from_takes_a_checkpoint_of_the_run_in_every_form_the_readme_gives(parent_run, runs_dir, capsys):
    """A directory, RUN@step-N, the name, a bare step number (tester5 F5); one line for anything else."""
    ckpt = parent_run.checkpoints()[0]
    forms = [str(ckpt.path), f"{parent_run.name}@{ckpt.name}", f"{parent_run.id}@20", "step-00000020", "20"]
    for form in forms:  # run.steps=10 is refused: the message shows which checkpoint --from named
        assert main(["resume", parent_run.id, "--from", form, "--set", "run.steps=10",
                     "--runs-dir", str(runs_dir)]) == 2, form
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "would resume at step 20 (step-00000020)" in err[0], (form, err)
    assert main(["resume", parent_run.id, "--from", "30", "--runs-dir", str(runs_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: run {parent_run.id} has no checkpoint '30' (it has: step-00000020, step-00000040); "
                   "--from takes one of them as step-00000040, 40, tiny-lm@step-00000040 or its directory"]
    other = shutil.copytree(parent_run.path, runs_dir / parent_run.id.replace("tiny-lm", "tiny-lm-copy"))
    assert main(["resume", parent_run.id, "--from", f"{other}/checkpoints/step-00000020",
                 "--runs-dir", str(runs_dir)]) == 2
    assert "that checkpoint is not one of run" in capsys.readouterr().err
    shutil.rmtree(other)
    assert main(["resume", parent_run.id, "--from", str(ckpt.path), "--runs-dir", str(runs_dir)]) == 0
    assert "resumed from step-00000020 at step 20" in parent_run.log_path.read_text()
    assert parent_run.status().step == 40


def test_fork_that_changes_the_kind_is_one_line(parent_run, runs_dir, capsys):
    for weights in (["--weights"], []):
        assert main(["fork", parent_run.id, *weights, "--set", 'kind="gan"', "--runs-dir", str(runs_dir)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == ["error: a fork keeps its parent's kind (lm), not kind = 'gan'; "
                       "a new kind of run starts from its own recipe (`aigc-tui train RECIPE`)"], err


def test_fork_with_weights_starts_at_the_parents_loss_and_config_only_from_scratch(parent_run, runs_dir):
    parent_last = _losses(parent_run)[-1]
    assert main(["fork", parent_run.id, "--weights", "--name", "warm", "--set", "run.steps=10",
                 "--runs-dir", str(runs_dir)]) == 0
    warm = find_run(runs_dir, "warm")
    assert abs(_losses(warm)[0] - parent_last) <= 0.1 * parent_last, (_losses(warm), parent_last)
    parent = warm.status().parent
    assert parent["run"] == parent_run.id and parent["step"] == 40 and parent["weights"] is True
    assert main(["fork", f"{parent_run.id}@step-00000040", "--name", "cold", "--set", "run.steps=10",
                 "--runs-dir", str(runs_dir)]) == 0
    cold = find_run(runs_dir, "cold")
    assert _losses(cold)[0] > 1.3 * parent_last
    assert cold.status().parent["weights"] is False


def test_fork_keeping_step_and_optimizer_continues_the_count(parent_run, runs_dir, capsys):
    args = ["fork", f"{parent_run.id}@step-00000020", "--weights", "--keep-step", "--keep-optimizer",
            "--name", "branch", "--runs-dir", str(runs_dir)]
    assert main([*args, "--set", "run.steps=20"]) == 2
    assert "leaves nothing to train after step 20" in capsys.readouterr().err
    assert main([*args, "--set", "run.steps=30"]) == 0
    branch = find_run(runs_dir, "branch")
    assert (branch.status().step, branch.checkpoints()[0].step) == (30, 30)
    assert branch.status().resumed_step == 20  # its worker began at 20: the ETA counts steps from there
    assert "with its optimizer state" in branch.log_path.read_text()
    assert main(["fork", parent_run.id, "--keep-step", "--runs-dir", str(runs_dir)]) == 2
    assert "need --weights" in capsys.readouterr().err


def test_a_fork_whose_parent_checkpoint_went_away_fails_with_one_plain_line_naming_it(parent_run, runs_dir, capsys):
    """The parent's checkpoint is pruned between the fork and the child's start (it waited in the
    queue): the child's error names that checkpoint, with no exception class in front (tester6 F17e)."""
    from aigc_tui.commands.train_cmd import run_foreground
    from aigc_tui.launch.fork import ForkPlan, fork_run

    ckpt = parent_run.checkpoints()[-1]
    child, _ = fork_run(runs_dir, ckpt, ForkPlan(weights=True, overrides=["run.steps=10"], name="orphan"))
    shutil.rmtree(ckpt.path)
    capsys.readouterr()
    assert run_foreground(child) == 1
    error = child.status().error
    assert error.startswith(f"the checkpoint this run was forked from, {parent_run.id}/{ckpt.name} ({ckpt.path}), "
                            "no longer exists"), error
    assert "Error" not in error and "\n" not in error
    assert f"error: run failed: {error}" in capsys.readouterr().out


def test_fork_with_weights_refuses_a_new_model_shape_before_creating_a_run(parent_run, runs_dir, capsys):
    before = len(list_runs(runs_dir))
    assert main(["fork", parent_run.id, "--weights", "--set", "model.n_embd=64", "--name", "wide",
                 "--runs-dir", str(runs_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--weights needs the parent's model shape, but model.n_embd 32 → 64" in err[0], err
    assert len(list_runs(runs_dir)) == before  # nothing created
    assert main(["fork", parent_run.id, "--set", "model.n_embd=64", "--set", "run.steps=2", "--name", "wide",
                 "--runs-dir", str(runs_dir)]) == 0  # config only: a new shape from scratch is fine


def test_a_weight_fork_onto_another_corpus_keeps_the_parents_tokenizer(parent_run, tmp_path, runs_dir, capsys):
    """The parent's embeddings belong to its token ids: the fork trained a new tokenizer on the new
    corpus and loaded them against it (scrambled, or a size-mismatch failure) (tester6 G24)."""
    from lm_fixtures import CORPUS

    corpus = tmp_path / "other.txt"
    corpus.write_text("".join(CORPUS) * 3)
    assert main(["fork", parent_run.id, "--weights", "--name", "moved", "--set", f'data.source="text:{corpus}"',
                 "--set", "run.steps=4", "--set", "train.eval_every=4", "--runs-dir", str(runs_dir)]) == 0, \
        capsys.readouterr().err
    moved = find_run(runs_dir, "moved")
    assert f"tokenizer: kept from {parent_run.id}/step-00000040" in moved.log_path.read_text()
    assert f"model: gpt2 weights from {parent_run.id}@step-00000040, " in moved.log_path.read_text()  # not "from scratch"

    def vocab(run) -> dict:
        return json.loads((run.checkpoints()[-1].path / "tokenizer.json").read_text())["model"]["vocab"]

    assert vocab(moved) == vocab(parent_run)
    shutil.rmtree(parent_run.checkpoints_dir)  # a resume finds the same tokenizer in the fork's own checkpoint
    assert main(["resume", moved.id, "--set", "run.steps=6", "--runs-dir", str(runs_dir)]) == 0, capsys.readouterr().err
    assert moved.status().step == 6


def test_lm_fine_tunes_our_own_gpt_by_run_name_and_records_its_parent(parent_run, tmp_path, runs_dir, capsys):
    recipe = merge(TINY_LM, name="own-tune", model={"pretrained": "tiny-lm"},
                   data={"source": "builtin:python-stdlib", "max_chars": 40_000},
                   run={"steps": 4, "checkpoint_every": 0, "keep_best": ""})
    path = write_recipe(tmp_path / "own.toml", recipe)
    assert main(["train", str(path), "--runs-dir", str(runs_dir)]) == 0
    assert f"starting from {parent_run.id}/step-00000040" in capsys.readouterr().out
    tuned = find_run(runs_dir, "own-tune")
    config = load_recipe(tuned.config_path)
    assert config.model.pretrained == str(parent_run.checkpoints()[-1].path)
    assert tuned.status().parent["step"] == 40



def test_a_sweep_fine_tunes_our_own_gpt_by_run_name(parent_run, tmp_path, runs_dir, capsys):
    """sweep checked model.pretrained as a hub id before looking under the runs root, so it refused
    the shipped fine-tune recipes that train takes."""
    from helpers import wait_for

    from aigc_tui.runs import RunState, list_runs

    recipe = merge(TINY_LM, name="tune-sweep", model={"pretrained": "tiny-lm"},
                   data={"source": "builtin:python-stdlib", "max_chars": 40_000},
                   run={"steps": 2, "checkpoint_every": 0, "keep_best": ""})
    path = write_recipe(tmp_path / "sweep.toml", recipe)
    assert main(["sweep", str(path), "--set", "train.lr=1e-4,2e-4", "--parallel", "1", "--device", "cpu",
                 "--runs-dir", str(runs_dir)]) == 0
    tuned = [r for r in list_runs(runs_dir) if r.config()["name"] == "tune-sweep"]
    assert len(tuned) == 2
    newest = str(parent_run.checkpoints()[-1].path)
    assert all(load_recipe(r.config_path).model.pretrained == newest for r in tuned)
    wait_for(lambda: all(not r.status().state.is_live for r in tuned), 240, "the sweep to end", poll=0.2)
    assert all(r.status().state is RunState.FINISHED for r in tuned), [r.status().error for r in tuned]


def test_a_fine_tune_resumes_after_its_parents_checkpoint_is_gone(parent_run, tmp_path, runs_dir, capsys):
    """Once a child has a checkpoint of its own it builds from that: its parent may be pruned."""
    recipe = merge(TINY_LM, name="child", model={"pretrained": f"{parent_run.id}@step-00000040"},
                   run={"steps": 4, "log_every": 2, "checkpoint_every": 0, "keep_best": ""}, train={"eval_every": 4})
    assert main(["train", str(write_recipe(tmp_path / "child.toml", recipe)), "--runs-dir", str(runs_dir)]) == 0
    child = find_run(runs_dir, "child")
    shutil.rmtree(parent_run.checkpoints_dir)  # pruned, moved or deleted by the user
    capsys.readouterr()
    assert main(["resume", child.id, "--set", "run.steps=6", "--runs-dir", str(runs_dir)]) == 0, capsys.readouterr().err
    status = child.status()
    assert (status.state, status.step) == (RunState.FINISHED, 6)
    assert "model: built from this run's own step-00000004" in child.log_path.read_text()
    assert status.parent["run"] == parent_run.id  # the lineage is kept

@pytest.mark.parametrize(("pretrained", "expected"), [
    ("no-such-run@step-5", "no run 'no-such-run'"),
    ("tiny-lm@step-00000007", "has no checkpoint 'step-00000007'"),
])
def test_a_bad_pretrained_reference_is_refused_before_anything_is_created(parent_run, tmp_path, runs_dir, capsys,
                                                                          pretrained, expected):
    before = len(list_runs(runs_dir))
    path = write_recipe(tmp_path / "bad.toml", merge(TINY_LM, model={"pretrained": pretrained}))
    assert main(["train", str(path), "--runs-dir", str(runs_dir)]) == 2
    assert expected in capsys.readouterr().err
    assert len(list_runs(runs_dir)) == before


def test_a_classifier_cannot_start_from_a_gpt(parent_run, tmp_path, runs_dir, capsys):
    from encoder_fixtures import TINY_CLASSIFY

    path = write_recipe(tmp_path / "c.toml", merge(TINY_CLASSIFY, model={"pretrained": parent_run.id}))
    assert main(["train", str(path), "--runs-dir", str(runs_dir)]) == 2
    assert "is a lm checkpoint; a classify run starts from mlm or classify checkpoints" in capsys.readouterr().err


def test_a_missing_parent_run_can_mean_from_scratch(tmp_path, runs_dir, capsys):
    from encoder_fixtures import TINY_CLASSIFY

    recipe = merge(TINY_CLASSIFY, name="scratchy", model={"pretrained": "never-trained", "if_missing": "scratch",
                                                          "n_layer": 1, "n_head": 2, "n_embd": 32, "vocab_size": 200},
                   run={"steps": 2, "log_every": 1}, train={"eval_every": 2})
    path = write_recipe(tmp_path / "s.toml", recipe)
    assert main(["train", str(path), "--runs-dir", str(runs_dir)]) == 0
    assert "no run, checkpoint or model named 'never-trained' yet: training from scratch" in capsys.readouterr().out
    assert load_recipe(find_run(runs_dir, "scratchy").config_path).model.pretrained == ""


def test_fine_tune_from_here_fills_a_recipe_that_names_the_checkpoint(parent_run, runs_dir):
    from aigc_tui.config import validate
    from aigc_tui.launch.fork import finetune_recipe

    ckpt = parent_run.checkpoints()[-1]
    recipe = finetune_recipe(ckpt)
    config = validate(recipe)
    assert (config.kind, config.model.pretrained, config.name) == ("lm", str(ckpt.path), "tiny-lm-finetune")


def test_resume_from_an_earlier_checkpoint_sets_the_later_ones_aside(parent_run, runs_dir):
    """The abandoned timeline's step-40 must not stay the run's latest (tester6 G15)."""
    assert main(["resume", parent_run.id, "--from", "20", "--set", "run.steps=30", "--runs-dir", str(runs_dir)]) == 0
    assert [c.name for c in parent_run.checkpoints()] == ["step-00000020", "step-00000030"]
    aside = list((parent_run.path / "checkpoints").glob(".superseded-*/step-00000040"))
    assert len(aside) == 1  # kept, out of the way
    assert (f"the later step-00000040 (the timeline this resume replaces) moved aside to "
            f"checkpoints/{aside[0].parent.name}/") in parent_run.log_path.read_text()
    status = parent_run.status()
    assert (status.state, status.step) == (RunState.FINISHED, 30)


def test_a_weight_fork_onto_a_corpus_too_small_for_the_parents_tokenizer_is_refused_up_front(
        parent_run, tmp_path, runs_dir, capsys):
    """tester7 H7: the byte estimate passed (a token is at least a byte), then the worker, with the
    parent's tokenizer packing several bytes a token, failed at once and left a failed run."""
    corpus = tmp_path / "small.txt"
    corpus.write_text("the function returns the value of the object. " * 15)  # 705 bytes, ~420 tokens
    before = len(list_runs(runs_dir))
    assert main(["fork", parent_run.id, "--weights", "--name", "small", "--set", f'data.source="text:{corpus}"',
                 "--set", "run.steps=2", "--runs-dir", str(runs_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "with the parent's tokenizer (kept by --weights) the corpus is" in err[0], err
    assert "block_size = 32 it needs about 680" in err[0] and "fork without --weights" in err[0], err
    assert len(list_runs(runs_dir)) == before  # nothing created
