"""Several processes under torchrun on gloo CPU ranks: what a user on an 8-GPU box relies on.

Each test starts real torchrun agents (`--nproc 2 --device cpu`), tiny models, few steps.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from helpers import TINY_GAN, cli_env, merge, wait_for, write_recipe
from lm_fixtures import TINY_LM
from safetensors.torch import load_file

from aigc_tui.config import config_from_toml, dump_toml
from aigc_tui.runs import RunState, create_run, find_run
from aigc_tui.runs.store import Run
from aigc_tui.train.worker import run_worker


def _cli(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "aigc_tui", *map(str, args)], capture_output=True, text=True,
                          env=cli_env(), timeout=timeout)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _wait_for(predicate, timeout: float = 180.0, what: str = "condition"):
    return wait_for(predicate, timeout, what, poll=0.2)


def _losses(run: Run, key: str = "loss") -> dict[int, float]:
    rows = [json.loads(line) for line in (run.path / "metrics.jsonl").read_text().splitlines()]
    steps = [r["step"] for r in rows]
    assert len(steps) == len(set(steps)), "one writer: every step is written once"
    return {r["step"]: r[key] for r in rows if key in r}


def _weights(run: Run) -> dict[str, torch.Tensor]:
    return load_file(str(run.checkpoints()[-1].path / "model.safetensors"))


def _started(out: str, runs_dir: Path) -> Run:
    return find_run(runs_dir, out.split()[1])


GAN_2 = merge(TINY_GAN, run={"steps": 400, "log_every": 10, "sample_every": 0, "checkpoint_every": 0},
              model={**TINY_GAN["model"], "g_batchnorm": False, "d_dropout": 0.0})  # so 2 ranks = 1 rank


def test_two_rank_gan_finishes_and_stop_plus_resume_equals_a_straight_run(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "gan.toml", GAN_2)
    common = ["--nproc", "2", "--device", "cpu", "--runs-dir", runs_dir]
    straight = _started(_cli("train", recipe, *common).stdout, runs_dir)
    status = straight.status()
    assert status.state is RunState.FINISHED and status.world_size == 2 and len(status.rank_step_ms) == 2
    assert sorted(_losses(straight, "loss_d")) == list(range(10, 401, 10))
    assert "× 2 processes" in status.device
    one = create_run(runs_dir, (straight.path / "config.toml").read_text().replace("nproc = 2", "nproc = 1")
                     .replace("steps = 400", "steps = 20"), "one")
    assert run_worker(one) is RunState.FINISHED
    for step, loss in _losses(one, "loss_d").items():  # DDP: the same global batch, the same curve
        assert abs(loss - _losses(straight, "loss_d")[step]) < 1e-4, step

    stopped = _started(_cli("train", recipe, *common, "--detach").stdout, runs_dir)
    _wait_for(lambda: stopped.status().step >= 5, what="training to start")
    _cli("stop", stopped.id, "--runs-dir", runs_dir)
    _wait_for(lambda: stopped.status().state is RunState.STOPPED, what="every rank to stop")
    middle = stopped.status().step
    assert 5 <= middle < 400 and [c.step for c in stopped.checkpoints()] == [middle]
    _cli("resume", stopped.id, "--runs-dir", runs_dir)
    assert stopped.status().state is RunState.FINISHED
    a, b = _weights(straight), _weights(stopped)
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=f"{key} after stop at {middle} + resume")


LM_20 = merge(TINY_LM, run={"steps": 20, "log_every": 1, "checkpoint_every": 10, "keep_last": 5, "keep_best": ""},
              model={**TINY_LM["model"], "dropout": 0.0}, train={**TINY_LM["train"], "eval_every": 10})


@pytest.mark.parametrize("strategy", ["ddp", "fsdp"])
def test_two_rank_lm_matches_one_process_and_resumes_on_one(tmp_path, runs_dir, strategy):
    recipe = write_recipe(tmp_path / "lm.toml", merge(LM_20, train={**LM_20["train"], "strategy": strategy}))
    two = _started(_cli("train", recipe, "--nproc", "2", "--device", "cpu", "--runs-dir", runs_dir).stdout, runs_dir)
    assert two.status().state is RunState.FINISHED, two.status().error
    one = create_run(runs_dir, (two.path / "config.toml").read_text().replace("nproc = 2", "nproc = 1"), "one")
    assert run_worker(one) is RunState.FINISHED
    curve_two, curve_one = _losses(two), _losses(one)
    assert sorted(curve_two) == list(range(1, 21))
    for step in curve_one:  # the same global batch: the same curve
        assert abs(curve_two[step] - curve_one[step]) < 1e-4, (step, curve_two[step], curve_one[step])
    assert abs(_losses(two, "val_loss")[20] - _losses(one, "val_loss")[20]) < 1e-4

    # the 2-rank step-10 checkpoint continues on one process with the same data order
    config = config_from_toml((two.path / "config.toml").read_text())
    config.run.nproc = 1
    later = create_run(runs_dir, dump_toml(config), "later")
    shutil.copytree(two.checkpoints_dir / "step-00000010", later.checkpoints_dir / "step-00000010")
    assert run_worker(later) is RunState.FINISHED
    resumed = _losses(later)
    assert sorted(resumed) == list(range(11, 21))
    for step, loss in resumed.items():
        assert abs(loss - curve_two[step]) < 1e-4, (step, loss, curve_two[step])

    from transformers import AutoModelForCausalLM  # one process loads the gathered checkpoint as is

    model = AutoModelForCausalLM.from_pretrained(two.checkpoints()[-1].path)
    assert sum(p.numel() for p in model.parameters()) > 0


def _rank_pid(agent: int, rank: int) -> int | None:
    children = []
    for task in Path(f"/proc/{agent}/task").glob("*"):  # any thread of the agent may have started them
        try:
            children += (task / "children").read_text().split()
        except OSError:
            continue
    for child in children:
        try:
            env = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"RANK={rank}".encode() in env:
            return int(child)
    return None


def test_a_killed_rank_fails_the_run_with_the_rank_named(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "gan.toml", merge(GAN_2, run={**GAN_2["run"], "steps": 10_000_000}))
    run = _started(_cli("train", recipe, "--nproc", "2", "--device", "cpu", "--detach", "--runs-dir", runs_dir).stdout,
                   runs_dir)
    _wait_for(lambda: run.status().step >= 10, what="training to start")
    victim = _wait_for(lambda: _rank_pid(run.status().pid, 1), timeout=30, what="rank 1's process")
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic()
    _wait_for(lambda: run.status().state is RunState.FAILED, timeout=60, what="the run to fail")
    assert time.monotonic() - killed_at < 60
    error = run.status().error
    assert "rank 1" in error and "SIGKILL" in error, error


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_agents_on_localhost_train_one_run_with_one_writer(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "gan.toml", merge(GAN_2, run={**GAN_2["run"], "steps": 40}))
    endpoint = f"127.0.0.1:{_free_port()}"
    common = ["--nnodes", "2", "--rdzv-endpoint", endpoint, "--run-id", "two-nodes", "--device", "cpu",
              "--detach", "--runs-dir", runs_dir]
    _cli("train", recipe, *common, "--node-rank", "0")
    _cli("train", recipe, *common, "--node-rank", "1")
    run = find_run(runs_dir, "two-nodes")
    _wait_for(lambda: run.status().state is RunState.FINISHED, what="the two-node run to finish")
    assert run.status().world_size == 2
    assert sorted(_losses(run, "loss_d")) == [10, 20, 30, 40]
    assert (run.path / "log.node1.txt").is_file()
    assert [c.step for c in run.checkpoints()] == [40]
