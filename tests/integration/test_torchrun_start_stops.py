"""`train --nproc 2`: a Ctrl-C or SIGTERM while the run starts, before torchrun is up, stops it
(tester8 I4). torchrun installs its own signal handlers only as it starts the ranks; before that
the stop used to be remembered by nobody and the run trained on.

torchrun itself is replaced by a stand-in here (no ranks start): each test sends the signal at
one point of the start-up and checks that the run ends `stopped`, the foreground command says
"interrupted" with the run's real total and exits 130, and no rank was started.
"""

from __future__ import annotations

import os
import signal

import pytest
from helpers import TINY_GAN, merge, write_recipe

from aigc_tui.runs import RunState, list_runs

FOREVER = merge(TINY_GAN, name="ddp-start", run={"steps": 1_000_000, "checkpoint_every": 0, "sample_every": 0})


@pytest.fixture
def ranks_started(monkeypatch) -> list[str]:
    """torchrun's entry point, replaced: it records that ranks would start now."""
    import torch.distributed.run as torchrun_module

    started: list[str] = []
    monkeypatch.setattr(torchrun_module, "run", lambda args: started.append("ranks"))
    return started


def _train(tmp_path, runs_dir, capfd) -> tuple[int, str]:
    from aigc_tui.cli import main

    recipe = write_recipe(tmp_path / "forever.toml", FOREVER)
    code = main(["train", str(recipe), "--nproc", "2", "--device", "cpu", "--runs-dir", str(runs_dir)])
    out, err = capfd.readouterr()
    return code, out + err


def _the_run_stopped(runs_dir):
    (run,) = list_runs(runs_dir)
    status = run.status()
    assert status.state is RunState.STOPPED and status.total_steps == 1_000_000, status
    return run


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_while_the_run_starts_never_starts_torchrun(tmp_path, runs_dir, monkeypatch, capfd, ranks_started,
                                                           signum):
    from aigc_tui.train import agent

    real_acquire = agent.acquire_devices

    def stop_while_starting(*args, **kwargs):
        os.kill(os.getpid(), signum)  # Ctrl-C (or a SIGTERM) while the agent sets up, torch loading
        return real_acquire(*args, **kwargs)

    monkeypatch.setattr(agent, "acquire_devices", stop_while_starting)
    code, out = _train(tmp_path, runs_dir, capfd)
    assert ranks_started == [], out
    _the_run_stopped(runs_dir)
    assert "stopped before training started" in out, out
    if signum == signal.SIGINT:
        assert code == 130 and "stopped at step 0/1000000 (interrupted)" in out, out
    else:
        assert code == 0 and "stopped at step 0/1000000:" in out, out


def test_a_ctrl_c_inside_torchruns_own_start_up_stops_it(tmp_path, runs_dir, monkeypatch, capfd, ranks_started):
    """A stop during torchrun's rendezvous, before its handlers are in, ends it as its own handler would."""
    import torch.distributed.run as torchrun_module

    def rendezvous_then_ranks(args):
        os.kill(os.getpid(), signal.SIGINT)  # torchrun has not put its handlers in yet
        ranks_started.append("ranks")

    monkeypatch.setattr(torchrun_module, "run", rendezvous_then_ranks)
    code, out = _train(tmp_path, runs_dir, capfd)
    assert ranks_started == [], out
    _the_run_stopped(runs_dir)
    assert code == 130 and "torchrun stopped by SIGINT" in out and "stopped at step 0/1000000 (interrupted)" in out


def test_a_ctrl_c_torchrun_handles_names_the_total_and_exits_130(tmp_path, runs_dir, monkeypatch, capfd):
    """Once torchrun handles the signal itself (before any rank wrote the total): not `stopped at step 0/0`,
    and a foreground `train` stopped by Ctrl-C exits 130 on this path too."""
    import torch.distributed.run as torchrun_module
    from torch.distributed.elastic.multiprocessing.api import _terminate_process_handler

    def torchrun_interrupted(args):
        signal.signal(signal.SIGINT, _terminate_process_handler)  # what torchrun does as it starts the ranks
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(torchrun_module, "run", torchrun_interrupted)
    code, out = _train(tmp_path, runs_dir, capfd)
    _the_run_stopped(runs_dir)
    assert code == 130 and "stopped at step 0/1000000 (interrupted)" in out, out


def test_a_ctrl_c_while_queued_leaves_the_queue(tmp_path, runs_dir, monkeypatch, capfd, ranks_started):
    """Waiting for the CPU slots another run holds: Ctrl-C leaves the queue at once (it used to wait for the slots)."""
    from aigc_tui.runs.queue import request_for, try_acquire
    from aigc_tui.train import agent

    holder = try_acquire(runs_dir, request_for("", nproc=2, slots=2), "another-run")
    real_wait = agent.wait_for_devices

    def ctrl_c_while_waiting(*args, cancelled, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)

        def left_at_once() -> bool:  # the queue's first look already sees the Ctrl-C (no waiting on it)
            if not cancelled():
                raise AssertionError("still queued after Ctrl-C")
            return True

        return real_wait(*args, cancelled=left_at_once, **kwargs)

    monkeypatch.setattr(agent, "wait_for_devices", ctrl_c_while_waiting)
    monkeypatch.setitem(FOREVER["run"], "slots", 2)
    try:
        code, out = _train(tmp_path, runs_dir, capfd)
    finally:
        holder.release()
    assert ranks_started == [] and "left the queue" in out, out
    _the_run_stopped(runs_dir)
    assert code == 130 and "stopped at step 0/1000000 (interrupted)" in out, out
