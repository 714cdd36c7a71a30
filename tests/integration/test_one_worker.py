"""One worker per run, SIGTERM at start-up, crash leftovers, and a foreground run whose terminal goes away."""

from __future__ import annotations

import multiprocessing
import os
import pty
import signal
import subprocess
import sys
import threading
import time

import pytest
from helpers import TINY_GAN, cli_env, merge, stop_after_step, wait_for, write_recipe

from aigc_tui.cli import main
from aigc_tui.config import dump_toml, validate
from aigc_tui.errors import RunBusy
from aigc_tui.launch import spawn_worker
from aigc_tui.runs import RunState, create_run, find_run
from aigc_tui.runs.lock import RunLock, holder_pid
from aigc_tui.train.worker import build_trainer, run_worker


def _wait_for(predicate, timeout: float = 120.0, what: str = "condition"):
    return wait_for(predicate, timeout, what, poll=0.05)


def _new_run(runs_dir, **sections):
    config = validate(merge(TINY_GAN, **sections))
    return create_run(runs_dir, dump_toml(config), config.name)


def _stopped_run(runs_dir, steps: int = 1_000_000):
    """A run stopped after 3 steps with a checkpoint, ready to resume."""
    run = _new_run(runs_dir, run={"steps": steps, "checkpoint_every": 0, "sample_every": 0})
    trainer = build_trainer(run, lambda _m: None)
    stop_after_step(trainer, 3)
    assert trainer.run() is RunState.STOPPED
    return run


def _try_lock(run_dir, barrier, results, done) -> None:
    barrier.wait()
    try:
        lock = RunLock.acquire(run_dir)
    except RunBusy:
        results.put("busy")
        return
    results.put("won")
    done.wait(60)  # hold it until every other attempt has answered
    lock.close()


def test_twenty_simultaneous_lock_attempts_give_exactly_one_holder_every_round(tmp_path):
    ctx = multiprocessing.get_context("fork")
    winners = []
    for round_ in range(20):
        run_dir = tmp_path / f"r{round_}"
        run_dir.mkdir()
        barrier, results, done = ctx.Barrier(20), ctx.Queue(), ctx.Event()
        procs = [ctx.Process(target=_try_lock, args=(run_dir, barrier, results, done)) for _ in range(20)]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=60) for _ in procs]
        done.set()
        for p in procs:
            p.join(timeout=60)
        winners.append(outcomes.count("won"))
    assert winners == [1] * 20


def test_the_lock_dies_with_its_holder(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from aigc_tui.runs.lock import RunLock; "
        f"lock = RunLock.acquire({str(tmp_path)!r}); print('held', flush=True); time.sleep(600)")],
        stdout=subprocess.PIPE, text=True, env=cli_env())
    assert proc.stdout.readline().strip() == "held"
    with pytest.raises(RunBusy, match=f"pid {proc.pid}"):
        RunLock.acquire(tmp_path)
    proc.kill()
    proc.wait()
    RunLock.acquire(tmp_path).close()  # SIGKILL left no stale lock


def test_simultaneous_resumes_start_exactly_one_worker(runs_dir, capsys):
    run = _stopped_run(runs_dir)
    barrier = threading.Barrier(20)
    started, refused = [], []

    def resume() -> None:
        barrier.wait()
        try:
            started.append(spawn_worker(run))
        except RunBusy as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=resume) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(started) == 1 and len(refused) == 19
    (pid,) = started
    assert all("already has a live worker" in line for line in refused)
    assert holder_pid(run.path) == pid
    _wait_for(lambda: run.status().state is RunState.RUNNING, what="the worker to run")
    # the CLI and a foreground resume both refuse in one line naming the live pid
    for argv in (["resume", run.id, "--detach"], ["resume", run.id]):
        assert main([*argv, "--runs-dir", str(runs_dir)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and f"pid {pid}" in err[0], err
    assert run_worker_refused(run)
    os.kill(pid, signal.SIGTERM)
    _wait_for(lambda: run.status().state is RunState.STOPPED, what="the run to stop")
    log = run.log_path.read_text()
    assert log.count("training tiny-gan") == 1 and log.count("resumed from") == 1  # one worker trained


def run_worker_refused(run) -> bool:
    """A worker started by hand on a busy run leaves without touching the run."""
    owner = run.status().pid
    proc = subprocess.run([sys.executable, "-m", "aigc_tui.train.worker", str(run.path)],
                          capture_output=True, text=True, env=cli_env(), timeout=120)
    assert proc.returncode == 2 and "already has a live worker" in proc.stderr, proc.stderr
    return run.status().pid == owner and run.status().state is RunState.RUNNING


@pytest.mark.parametrize("delay", [0.0, 1.0])
def test_sigterm_during_start_up_ends_stopped(runs_dir, delay):
    run = _new_run(runs_dir, run={"steps": 1_000_000})
    pid = spawn_worker(run)
    time.sleep(delay)  # "any moment": at once (before Python is up), or while torch imports
    os.kill(pid, signal.SIGTERM)
    _wait_for(lambda: not run.status().state.is_live, what="the worker to end")
    status = run.status()
    assert status.state is RunState.STOPPED, status
    log = run.log_path.read_text()
    assert "Traceback" not in log


def test_leftovers_of_a_killed_checkpoint_write_are_removed_at_the_next_start(runs_dir):
    run = _stopped_run(runs_dir, steps=6)
    ckpts = run.path / "checkpoints"
    (ckpts / ".step-00000009.abcd.tmp").mkdir()
    (ckpts / ".step-00000009.abcd.tmp" / "model.safetensors").write_bytes(b"x" * 1000)
    (run.path / ".status.json.xyz.tmp").write_text("{")
    (run.path / "samples" / ".step-00000004.png.q.tmp").write_bytes(b"")
    assert run_worker(run) is RunState.FINISHED
    left = [p for p in run.path.rglob(".*") if p.name.endswith((".tmp", ".old"))]
    assert left == []
    assert "removed leftovers of an interrupted write" in run.log_path.read_text()


def test_a_foreground_train_keeps_training_when_its_terminal_goes_away(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, run={"steps": 150, "log_every": 1}))
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "aigc_tui", "train", str(recipe), "--runs-dir", str(runs_dir)],
                            stdin=slave, stdout=slave, stderr=slave, env=cli_env(), start_new_session=True)
    os.close(slave)
    seen = b""
    while b"step 3/150" not in seen:
        seen += os.read(master, 4096)
    os.close(master)  # the terminal goes away: every later write to it fails with EIO
    proc.send_signal(signal.SIGHUP)
    assert proc.wait(timeout=300) == 0
    run = find_run(runs_dir, "tiny-gan")
    assert run.status().state is RunState.FINISHED and run.status().step == 150
    log = run.log_path.read_text()
    assert "the terminal went away; logging to log.txt only" in log and "Traceback" not in log
