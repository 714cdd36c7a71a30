"""A diverging run ends `failed` "diverged", skips its non-finite updates and keeps its finite checkpoints."""

from __future__ import annotations

import json
import math
import tomllib

import pytest
import tomli_w
import torch
from helpers import TINY_GAN, merge, stop_after_step
from safetensors.torch import load_file

from aigc_tui.config import dump_toml, validate
from aigc_tui.runs import MetricsReader, RunState, create_run
from aigc_tui.train.worker import build_trainer, run_worker


def _strict(text: str):
    def refuse(token: str):
        raise AssertionError(f"bare {token} in JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def diverged_run(runs_dir):
    """A WGAN-GP run trained 20 good steps, then resumed with a gp_weight that overflows."""
    recipe = merge(TINY_GAN, run={"steps": 60, "checkpoint_every": 10, "log_every": 5, "keep_last": 1,
                                  "sample_every": 0, "keep_best": "loss_d"},
                   train={"loss": "wgan-gp", "nonfinite_patience": 5})
    config = validate(recipe)
    run = create_run(runs_dir, dump_toml(config), config.name)
    trainer = build_trainer(run, lambda _m: None)
    stop_after_step(trainer, 20)
    assert trainer.run() is RunState.STOPPED
    good = load_file(str(run.checkpoints()[-1].path / "model.safetensors"))
    data = tomllib.loads(run.config_path.read_text())
    data["train"]["gp_weight"] = 1e300  # what the user set between a stop and a resume
    run.config_path.write_text(tomli_w.dumps(data))
    return run, good


def test_divergence_ends_failed_and_keeps_the_newest_finite_checkpoint(diverged_run):
    run, good = diverged_run
    assert run_worker(run) is RunState.FAILED
    status = run.status()
    assert status.error.startswith("diverged at step 21: 5 steps in a row had a NaN/inf loss")
    assert "learning rate" in status.error and status.traceback is None
    checkpoints = run.checkpoints()
    assert checkpoints and checkpoints[-1].step == 20  # nothing written from inside the streak
    weights = load_file(str(checkpoints[-1].path / "model.safetensors"))
    assert all(torch.isfinite(t).all() for t in weights.values())
    for key, tensor in good.items():
        assert torch.equal(weights[key], tensor), key
    # the skipped updates left the trainer's weights finite and loadable: resume builds from it
    trainer = build_trainer(run, lambda _m: None)
    trainer.resume_from(checkpoints[-1].path)
    assert trainer.step == 20


def test_non_finite_steps_are_marked_and_all_json_is_strict(diverged_run):
    run, _ = diverged_run
    run_worker(run)
    lines = (run.path / "metrics.jsonl").read_text().splitlines()
    records = [_strict(line) for line in lines]
    assert records[-1]["nonfinite"] == 5.0 and records[-1]["loss_d"] in ("inf", "nan")
    assert all(r["nonfinite"] == 0 for r in records[:-1])
    reader = MetricsReader(run.path)
    reader.poll()
    assert not math.isfinite(reader.series["loss_d"].values[-1])  # the plot shows the gap
    _strict((run.path / "status.json").read_text())
    for ckpt in run.checkpoints():
        _strict((ckpt.path / "meta.json").read_text())


def test_a_checkpoint_of_non_finite_weights_is_never_written(runs_dir):
    config = validate(merge(TINY_GAN, run={"steps": 10, "checkpoint_every": 5, "sample_every": 0}))
    run = create_run(runs_dir, dump_toml(config), config.name)
    trainer = build_trainer(run, lambda _m: None)
    step_once = trainer.train_step

    def poison_then_step():
        items = step_once()
        if trainer.step + 1 == 7:
            with torch.no_grad():
                next(trainer.generator.parameters()).fill_(math.nan)
        return items

    trainer.train_step = poison_then_step
    assert trainer.run() is RunState.FAILED
    assert "weights are no longer finite" in run.status().error
    assert [c.step for c in run.checkpoints()] == [5]


def test_a_step_with_a_nan_loss_does_not_move_the_weights(runs_dir):
    config = validate(merge(TINY_GAN, run={"steps": 4}, train={"loss": "wgan-gp", "gp_weight": 1e300}))
    run = create_run(runs_dir, dump_toml(config), config.name)
    trainer = build_trainer(run, lambda _m: None)
    before = {k: v.clone() for k, v in trainer.discriminator.state_dict().items()}
    trainer.train_step()
    after = trainer.discriminator.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    for state in trainer.opt_d.state.values():  # nor did it leave NaN in Adam's moments
        assert float(state["step"]) == 0 and not state["exp_avg"].any()
