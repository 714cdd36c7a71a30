"""N steps, a stop and a resume give the same weights as 2N straight, for each model family
(classify starts from an mlm checkpoint, so its resume runs through the same loop and state)."""

from __future__ import annotations

import json

import pytest
import torch
from encoder_fixtures import TINY_MLM
from helpers import TINY_GAN, merge, stop_after_step
from lm_fixtures import TINY_LM
from safetensors.torch import load_file

from aigc_tui.config import dump_toml, validate
from aigc_tui.runs import RunState, create_run
from aigc_tui.runs.layout import METRICS_FILE, WEIGHTS_FILE
from aigc_tui.train.worker import build_trainer, run_worker

FAMILIES = {
    "gan": merge(TINY_GAN, run={"steps": 24, "checkpoint_every": 0, "sample_every": 0}),
    "lm": merge(TINY_LM, run={"steps": 16, "checkpoint_every": 0, "keep_best": ""}),
    "mlm": merge(TINY_MLM, run={"steps": 16, "checkpoint_every": 0, "keep_best": ""}),
}


def _new_run(runs_dir, recipe):
    config = validate(recipe)
    return create_run(runs_dir, dump_toml(config), config.name)


def _final_weights(run) -> dict[str, torch.Tensor]:
    return load_file(str(run.checkpoints()[-1].path / WEIGHTS_FILE))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_resume_is_exact(runs_dir, family):
    recipe = FAMILIES[family]
    total = recipe["run"]["steps"]
    straight = _new_run(runs_dir, recipe)
    assert run_worker(straight) is RunState.FINISHED

    interrupted = _new_run(runs_dir, recipe)
    trainer = build_trainer(interrupted, lambda _msg: None)
    stop_after_step(trainer, total // 2)
    assert trainer.run() is RunState.STOPPED
    assert [c.step for c in interrupted.checkpoints()] == [total // 2]
    assert interrupted.status().state is RunState.STOPPED

    assert run_worker(interrupted) is RunState.FINISHED  # resumes from the newest checkpoint
    a, b = _final_weights(straight), _final_weights(interrupted)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    steps = [json.loads(line)["step"] for line in (interrupted.path / METRICS_FILE).read_text().splitlines()]
    assert steps[-1] == total
