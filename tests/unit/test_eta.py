"""The ETA (runs table, monitor, `watch`) counts from this worker session's start and step, so a
resumed run or a keep-step fork shows the time it really has left (tester4 E20)."""

from __future__ import annotations

import os
import time

import pytest

from aigc_tui.commands.progress_line import speed_text
from aigc_tui.runs import RunState, RunStatus, create_run
from aigc_tui.runs.status import process_start_time
from aigc_tui.runs.summary import eta_seconds, format_duration, run_row


def running(runs_dir, name: str, **fields) -> RunStatus:
    """A running run whose worker is this test process (so it reads as live, not lost)."""
    run = create_run(runs_dir, f'kind = "lm"\nname = "{name}"\n[run]\nsteps = 300\n', name)
    status = RunStatus.read(run.path)
    status.state, status.pid, status.pid_start = RunState.RUNNING, os.getpid(), process_start_time(os.getpid())
    status.total_steps, status.throughput, status.throughput_unit = 300, 3400.0, "tokens/s"
    for key, value in fields.items():
        setattr(status, key, value)
    status.write(run.path)
    return run


def test_a_run_resumed_after_a_long_pause_counts_from_the_resume(runs_dir):
    now = time.time()  # 29 steps, Ctrl-C, 5 minutes away, resumed from step 29: 21 steps in the last 20 s
    run = running(runs_dir, "paused", started_at=now - 400, resumed_at=now - 20, resumed_step=29, step=50)
    assert format_duration(eta_seconds(run.status(), now)) == "3m58s"  # 250 steps at 20 s / 21; was 22m45s
    assert "eta 3m" in speed_text(run_row(run)) or "eta 4m" in speed_text(run_row(run))  # as `watch` shows it


def test_a_keep_step_fork_at_its_start_shows_no_eta_instead_of_zero(runs_dir):
    now = time.time()  # a fork with weights at step 60 of 120: nothing trained yet in this session
    run = running(runs_dir, "fork", started_at=now - 5, resumed_at=now - 5, resumed_step=60, step=60)
    assert run_row(run).eta_seconds is None and eta_seconds(run.status(), now) is None
    assert "eta -" in speed_text(run_row(run))
    status = RunStatus.read(run.path)
    status.step = 70  # ten steps in 5 s: 230 to go at that pace
    status.write(run.path)
    assert eta_seconds(run.status(), now) == pytest.approx(115, abs=0.01)


def test_a_status_file_from_before_resumed_step_keeps_the_whole_run_estimate(runs_dir):
    now = time.time()
    run = running(runs_dir, "old", started_at=now - 100, resumed_at=now - 100, step=100)
    assert eta_seconds(run.status(), now) == pytest.approx(200, abs=0.01)  # 100 steps in 100 s, 200 to go


def test_a_queued_run_has_no_eta(runs_dir):
    now = time.time()
    run = running(runs_dir, "queued", started_at=now - 100, resumed_at=now - 100, resumed_step=0, step=100,
                  state=RunState.QUEUED)
    assert run_row(run).eta_seconds is None and eta_seconds(run.status(), now) is None
