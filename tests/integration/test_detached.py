"""Detached workers: the launcher returns at once and the run lives on in its own session."""

from __future__ import annotations

import os
import subprocess
import sys

from helpers import TINY_GAN, cli_env, kill_detached_workers, merge, wait_for, write_recipe

from aigc_tui.runs import RunState, find_run


def _cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "aigc_tui", *args], capture_output=True, text=True,
                          env=cli_env(), timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _wait_for(predicate, timeout: float = 120.0, what: str = "condition"):
    return wait_for(predicate, timeout, what, poll=0.2)


def test_detached_run_returns_at_once_and_finishes_on_its_own(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, run={"steps": 60}))
    out = _cli("train", str(recipe), "--detach", "--runs-dir", str(runs_dir)).stdout
    run_id = out.split()[1]
    run = find_run(runs_dir, run_id)
    assert str(run.path) in out
    status = run.status()
    assert status.state in (RunState.QUEUED, RunState.RUNNING), status  # the launcher did not wait
    assert os.getsid(status.pid) == status.pid != os.getsid(0)  # its own session: no hang-up reaches it
    _wait_for(lambda: run.status().state is RunState.FINISHED, what="the run to finish")
    assert run.checkpoints()[-1].step == 60
    listed = _cli("runs", "--json", "--runs-dir", str(runs_dir)).stdout
    assert f'"id": "{run.id}"' in listed and '"state": "finished"' in listed


def test_stop_request_saves_a_checkpoint_and_ends_stopped(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, run={"steps": 1_000_000, "checkpoint_every": 0}))
    run_id = _cli("train", str(recipe), "--detach", "--runs-dir", str(runs_dir)).stdout.split()[1]
    run = find_run(runs_dir, run_id)
    _wait_for(lambda: run.status().state is RunState.RUNNING and run.status().step >= 5, what="training to start")
    assert "stop requested" in _cli("stop", run_id, "--runs-dir", str(runs_dir)).stdout
    _wait_for(lambda: run.status().state is RunState.STOPPED, what="the run to stop")
    status = run.status()
    (checkpoint,) = run.checkpoints()
    assert checkpoint.step == status.step > 0 and checkpoint.resumable
    # a stopped run refuses another stop with a clear line
    again = _cli("stop", run_id, "--runs-dir", str(runs_dir), check=False)
    assert again.returncode == 2 and "is not running (it is stopped)" in again.stderr


def test_sigterm_is_a_graceful_stop(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, run={"steps": 1_000_000, "checkpoint_every": 0}))
    run_id = _cli("train", str(recipe), "--detach", "--runs-dir", str(runs_dir)).stdout.split()[1]
    run = find_run(runs_dir, run_id)
    # a step must have run: a stop at step 0 saves nothing by design (a loaded box got there)
    _wait_for(lambda: run.status().state is RunState.RUNNING and run.status().step > 0, what="training to start")
    os.kill(run.status().pid, 15)
    _wait_for(lambda: run.status().state is RunState.STOPPED, what="the run to stop")
    assert run.checkpoints() and "SIGTERM" in run.log_path.read_text()


def test_killed_worker_reads_lost_and_resumes(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, run={"steps": 1_000_000, "checkpoint_every": 20}))
    run_id = _cli("train", str(recipe), "--detach", "--runs-dir", str(runs_dir)).stdout.split()[1]
    run = find_run(runs_dir, run_id)
    _wait_for(lambda: run.checkpoints(), what="a first checkpoint")
    os.kill(run.status().pid, 9)  # what the OOM killer does
    _wait_for(lambda: run.status().state is RunState.LOST, what="the run to read as lost")
    assert "gone without writing an end state" in run.status().error
    assert "lost" in _cli("runs", "--runs-dir", str(runs_dir)).stdout
    resumed = _cli("resume", run_id, "--detach", "--runs-dir", str(runs_dir)).stdout
    assert "resumed" in resumed
    _wait_for(lambda: "resumed from step-" in run.log_path.read_text(), what="the resume")
    _cli("stop", run_id, "--runs-dir", str(runs_dir))
    _wait_for(lambda: run.status().state is RunState.STOPPED, what="the run to stop")


def test_teardown_kills_a_worker_a_test_left_running(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, run={"steps": 1_000_000, "checkpoint_every": 0}))
    run_id = _cli("train", str(recipe), "--detach", "--runs-dir", str(runs_dir)).stdout.split()[1]
    run = find_run(runs_dir, run_id)
    _wait_for(lambda: run.status().state is RunState.RUNNING, what="training to start")
    pid = run.status().pid
    assert pid in kill_detached_workers(tmp_path)  # what the autouse fixture does after each test
    assert run.status().state is RunState.LOST
    assert kill_detached_workers(tmp_path) == []


def test_watch_into_a_pipe_prints_lines_while_the_run_trains(tmp_path, runs_dir):
    """Piped (tee, a log file, CI), `watch` writes a plain line per logged step as the run goes."""
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, run={"steps": 1_000_000, "checkpoint_every": 0}))
    run_id = _cli("train", str(recipe), "--detach", "--runs-dir", str(runs_dir)).stdout.split()[1]
    run = find_run(runs_dir, run_id)
    watcher = subprocess.Popen([sys.executable, "-m", "aigc_tui", "watch", run_id, "--runs-dir", str(runs_dir)],
                               stdout=subprocess.PIPE, text=True, env=cli_env())
    try:
        lines = []
        while len(lines) < 2:  # blocks until watch writes them; `starting`, `running` lines come first
            line = watcher.stdout.readline()
            if "step " in line or not line:
                lines.append(line)
        assert run.status().state is RunState.RUNNING  # they came while the run was live
        assert all("step " in line and "/1000000" in line and "loss_d " in line for line in lines), lines
        assert "\r" not in "".join(lines) and "\x1b" not in "".join(lines)
    finally:
        _cli("stop", run_id, "--runs-dir", str(runs_dir))
        out, _ = watcher.communicate(timeout=120)
    assert f"run {run.id} ended stopped" in out
