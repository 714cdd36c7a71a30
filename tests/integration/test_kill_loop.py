"""kill -9 at random moments, half of them inside a checkpoint write: nothing is lost.

Each kill reads `lost`; each resume starts from the newest complete checkpoint and first
removes what the killed writer left; the run finishes with exactly the weights of a run
that was never interrupted.
"""

from __future__ import annotations

import os
import random
import signal
import time

import pytest
import torch
from helpers import TINY_GAN, merge
from safetensors.torch import load_file

from aigc_tui.cli import main
from aigc_tui.config import dump_toml, validate
from aigc_tui.launch import spawn_worker
from aigc_tui.runs import RunState, create_run
from aigc_tui.train.worker import run_worker

KILLS = 12
RECIPE = merge(TINY_GAN, run={"steps": 90, "checkpoint_every": 1, "log_every": 1, "sample_every": 0, "keep_last": 2})


def _until(predicate, timeout: float = 120.0, what: str = "condition", poll: float = 0.001):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out waiting for {what}")


def _writing(run) -> bool:
    return any(p.name.endswith(".tmp") for p in run.checkpoints_dir.iterdir())


def _new(runs_dir, name):
    config = validate(merge(RECIPE, name=name))
    return create_run(runs_dir, dump_toml(config), config.name)


@pytest.mark.slow
def test_kill_9_at_random_moments_then_resume_loses_nothing(runs_dir, capsys):
    rng = random.Random(8)
    straight = _new(runs_dir, "straight")
    assert run_worker(straight) is RunState.FINISHED

    run = _new(runs_dir, "killed")
    pid = spawn_worker(run)
    counts = {"kills": 0, "in_write": 0, "resumed": 0, "resumed_from_newest": 0}
    for n in range(KILLS):
        start = max((c.step for c in run.checkpoints()), default=0)
        _until(lambda s=start: max((c.step for c in run.checkpoints()), default=0) > s, what="progress")
        if n % 2 == 0:
            _until(lambda: _writing(run), what="a checkpoint write")  # inside a write
        else:
            time.sleep(rng.uniform(0, 0.05))  # anywhere
        os.kill(pid, signal.SIGKILL)
        counts["kills"] += 1
        counts["in_write"] += _writing(run)
        _until(lambda: run.status().state is RunState.LOST, what="lost", poll=0.05)
        newest = [c for c in run.checkpoints() if c.resumable][-1]
        assert main(["resume", run.id, "--detach", "--runs-dir", str(runs_dir)]) == 0
        pid = run.status().pid
        marker = f"resumed from {newest.name}"
        _until(lambda m=marker: m in run.log_path.read_text(), what="the resume", poll=0.02)
        counts["resumed"] += 1
        counts["resumed_from_newest"] += 1
    capsys.readouterr()
    _until(lambda: not run.status().state.is_live, timeout=300, what="the end", poll=0.1)
    assert run.status().state is RunState.FINISHED, run.status().error
    leftovers = [p for p in run.path.rglob("*") if p.name.endswith((".tmp", ".old"))]
    a = load_file(str(straight.checkpoints()[-1].path / "model.safetensors"))
    b = load_file(str(run.checkpoints()[-1].path / "model.safetensors"))
    with capsys.disabled():
        print(f"\nkill loop: {counts}, leftovers after finish: {len(leftovers)}")
    assert counts["kills"] >= 10 and counts["in_write"] >= KILLS // 2 - 1
    assert counts["resumed"] == counts["kills"] and leftovers == []
    assert "removed leftovers of an interrupted write" in run.log_path.read_text()
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)  # exact, as if never killed
