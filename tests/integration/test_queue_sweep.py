"""The device queue and sweeps, end to end through the CLI (CPU slots stand in for GPUs)."""

from __future__ import annotations

import subprocess
import sys

from helpers import TINY_GAN, cli_env, merge, wait_for, write_recipe

from aigc_tui.runs import RunState, find_run, list_runs


def _cli(*args: object, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "aigc_tui", *map(str, args)], capture_output=True, text=True,
                          env=cli_env(), timeout=120)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _wait_for(predicate, timeout: float = 240.0, what: str = "condition"):
    return wait_for(predicate, timeout, what, poll=0.1)


def test_two_runs_on_one_slot_run_one_after_the_other(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "gan.toml", merge(TINY_GAN, run={"steps": 60}))
    first = find_run(runs_dir, _cli("train", recipe, "--slots", "1", "--detach", "--runs-dir", runs_dir).stdout.split()[1])
    second = find_run(runs_dir, _cli("train", recipe, "--slots", "1", "--detach", "--runs-dir", runs_dir).stdout.split()[1])
    waiting = _wait_for(lambda: (s := second.status()).queue_position and s, what="the second run to queue")
    assert waiting.state is RunState.QUEUED and waiting.queue_position == 1 and waiting.waiting_for == "cpu 0"
    assert "queued #1" in _cli("runs", "--runs-dir", runs_dir).stdout
    _wait_for(lambda: second.status().state is RunState.FINISHED, what="both runs to finish")
    a, b = first.status(), second.status()
    assert a.state is RunState.FINISHED and b.started_at >= a.ended_at - 0.5  # never both at once


def test_stopping_a_queued_run_takes_it_out_of_the_queue(tmp_path, runs_dir):
    long = write_recipe(tmp_path / "long.toml", merge(TINY_GAN, run={"steps": 1_000_000, "checkpoint_every": 0}))
    holder = find_run(runs_dir, _cli("train", long, "--slots", "1", "--detach", "--runs-dir", runs_dir).stdout.split()[1])
    queued = find_run(runs_dir, _cli("train", long, "--slots", "1", "--detach", "--runs-dir", runs_dir).stdout.split()[1])
    _wait_for(lambda: queued.status().queue_position == 1, what="the run to queue")
    _cli("stop", queued.id, "--runs-dir", runs_dir)
    _wait_for(lambda: queued.status().state is RunState.STOPPED, what="the queued run to leave")
    assert queued.status().step == 0 and not queued.checkpoints()
    assert not list((runs_dir / ".queue").glob("*.json"))
    _cli("stop", holder.id, "--runs-dir", runs_dir)
    _wait_for(lambda: holder.status().state is RunState.STOPPED, what="the holder to stop")


def test_a_two_by_two_sweep_yields_four_runs_in_one_group(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "gan.toml", merge(TINY_GAN, run={"steps": 20, "sample_every": 0}))
    out = _cli("sweep", recipe, "--set", "run.seed=1,2", "--set", "train.lr_g=1e-3,2e-3", "--parallel", "2",
               "--device", "cpu", "--runs-dir", runs_dir).stdout
    assert "4 runs, 2 at a time" in out
    runs = list_runs(runs_dir)
    assert len(runs) == 4
    groups = {r.config()["run"]["sweep"] for r in runs}
    assert len(groups) == 1 and groups.pop() in out
    combos = {(r.config()["run"]["seed"], r.config()["train"]["lr_g"]) for r in runs}
    assert combos == {(1, 1e-3), (1, 2e-3), (2, 1e-3), (2, 2e-3)}
    assert all(r.config()["run"]["sweep_keys"] == ["run.seed", "train.lr_g"] for r in runs)
    _wait_for(lambda: all(r.status().state is RunState.FINISHED for r in runs), what="the sweep to finish")


def test_a_bad_sweep_value_creates_nothing(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "gan.toml", TINY_GAN)
    proc = _cli("sweep", recipe, "--set", "train.lr_g=1e-3,-5", "--runs-dir", runs_dir, check=False)
    assert proc.returncode == 2 and "train.lr_g = -5" in proc.stderr
    assert not list_runs(runs_dir)


def test_rm_refuses_a_run_whose_checkpoint_a_queued_fork_still_has_to_load(tmp_path, runs_dir):
    """tester5 F8: deleting the parent under a queued fork would fail the fork when it finally starts."""
    parent = write_recipe(tmp_path / "parent.toml", merge(TINY_GAN, name="f8-parent", run={"steps": 4, "checkpoint_every": 2}))
    _cli("train", parent, "--runs-dir", runs_dir)
    long = write_recipe(tmp_path / "long.toml", merge(TINY_GAN, run={"steps": 1_000_000, "checkpoint_every": 0}))
    holder = find_run(runs_dir, _cli("train", long, "--slots", "1", "--detach", "--runs-dir", runs_dir).stdout.split()[1])
    _wait_for(lambda: holder.status().state is RunState.RUNNING, what="the holder to take the slot")
    out = _cli("fork", "f8-parent", "--weights", "--set", "run.slots=1", "--name", "f8-child", "--detach",
               "--runs-dir", runs_dir).stdout
    child = find_run(runs_dir, "f8-child")
    _wait_for(lambda: child.status().queue_position == 1, what="the fork to queue")
    proc = _cli("rm", "f8-parent", "--yes", "--runs-dir", runs_dir, check=False)
    assert proc.returncode == 2, out + proc.stdout + proc.stderr
    assert child.id in proc.stderr and "queued" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert find_run(runs_dir, "f8-parent").checkpoints()  # nothing was deleted
    for run in (child, holder):
        _cli("stop", run.id, "--runs-dir", runs_dir)
    _wait_for(lambda: not child.status().state.is_live and not holder.status().state.is_live, what="both to stop")
    _cli("rm", "f8-parent", "--yes", "--runs-dir", runs_dir)  # with no live child it goes
