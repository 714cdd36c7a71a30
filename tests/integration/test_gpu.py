"""GPU smoke test: a few steps of each family on CUDA, where a GPU exists (skipped elsewhere)."""

from __future__ import annotations

import math

import pytest
import torch
from helpers import TINY_GAN, merge
from lm_fixtures import TINY_LM
from safetensors.torch import load_file

from aigc_tui.config import dump_toml, validate
from aigc_tui.config.environment import environment_problems
from aigc_tui.models.device import cuda_device_count
from aigc_tui.runs import MetricsReader, RunState, create_run
from aigc_tui.runs.layout import WEIGHTS_FILE
from aigc_tui.train.worker import run_worker

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]

RECIPES = {
    "gan": merge(TINY_GAN, run={"steps": 6, "log_every": 2, "checkpoint_every": 0, "sample_every": 0}),
    "lm": merge(TINY_LM, run={"steps": 6, "log_every": 2, "checkpoint_every": 0, "keep_best": ""}),
}


@pytest.mark.parametrize("family", sorted(RECIPES))
def test_a_few_steps_train_on_cuda_with_bf16_and_save_cpu_loadable_weights(runs_dir, family):
    config = validate(merge(RECIPES[family], run={"device": "cuda", "precision": "auto"}))
    assert environment_problems(config, cuda_count=cuda_device_count()) == []
    run = create_run(runs_dir, dump_toml(config), config.name)
    assert run_worker(run) is RunState.FINISHED, run.status().error
    status = run.status()
    assert status.device.startswith("cuda:0") and "bf16" in status.device, status.device
    reader = MetricsReader(run.path)
    reader.poll()
    assert reader.series["gpu_mem_gb"].values[-1] > 0
    loss = "loss" if family == "lm" else "loss_d"
    assert all(math.isfinite(v) for v in reader.series[loss].values)
    weights = load_file(str(run.checkpoints()[-1].path / WEIGHTS_FILE), device="cpu")
    assert weights and all(t.device.type == "cpu" for t in weights.values())


def test_a_missing_gpu_index_is_refused_before_a_run_is_created(runs_dir):
    config = validate(merge(RECIPES["gan"], run={"device": f"cuda:{cuda_device_count()}"}))
    (problem,) = environment_problems(config, cuda_count=cuda_device_count())
    assert "does not exist: this machine has" in problem
