"""The one resume rule (`runs.layout.can_resume`) the CLI and the app share."""

from __future__ import annotations

import json
import os

import pytest

from aigc_tui.errors import AigcError, RunBusy
from aigc_tui.runs import RunState, RunStatus, create_run
from aigc_tui.runs.atomic import atomic_directory
from aigc_tui.runs.layout import (
    META_FILE,
    TRAINER_STATE_FILE,
    can_resume,
    checkpoint_dir,
    checkpoint_matches,
    require_resume,
    sample_path,
    step_name,
)
from aigc_tui.runs.store import find_checkpoint


@pytest.fixture
def run(runs_dir):
    return create_run(runs_dir, 'kind = "gan"\nname = "demo"\n[run]\nsteps = 100\n', "demo")


def _checkpoint(run, step, resumable=True):
    with atomic_directory(checkpoint_dir(run.path, step)) as tmp:
        (tmp / META_FILE).write_text(json.dumps({"step": step, "time": step}))
        if resumable:
            (tmp / TRAINER_STATE_FILE).write_bytes(b"")
    return find_checkpoint(run.path.parent, f"{run.id}@{step}")


def _end(run, state, step):
    RunStatus(state=state, step=step, total_steps=100).write(run.path)


def test_names_and_paths_come_from_one_place(run):
    assert step_name(1000) == "step-00001000"
    assert checkpoint_dir(run.path, 7) == run.path / "checkpoints" / "step-00000007"
    assert sample_path(run.path, 7, ".png") == run.path / "samples" / "step-00000007.png"
    assert checkpoint_matches("step-00000050", "50") and checkpoint_matches("step-00000050", "step-00000050")
    assert not checkpoint_matches("step-00000050", "5")


def test_a_stopped_run_resumes_from_its_newest_resumable_checkpoint(run):
    _checkpoint(run, 20)
    _checkpoint(run, 40, resumable=False)
    _end(run, RunState.STOPPED, 40)
    verdict = can_resume(run)
    assert verdict and verdict.start.step == 20


def test_a_live_run_is_refused_as_busy(run):
    _checkpoint(run, 20)
    RunStatus(state=RunState.RUNNING, pid=os.getpid()).write(run.path)
    with pytest.raises(RunBusy, match="stop it before resuming"):
        require_resume(run)


def test_a_run_that_ended_before_its_first_checkpoint_starts_over(run):
    """Taken out of the queue, killed in start-up, lost before checkpoint_every: nothing to keep,
    so `resume` and the app's `r` start it over (tester4 E15); a live one is still refused."""
    for state, step in ((RunState.STOPPED, 0), (RunState.FAILED, 3), (RunState.LOST, 51)):
        _end(run, state, step)
        verdict = can_resume(run)
        assert verdict and verdict.restart and require_resume(run) is None, state
    RunStatus(state=RunState.QUEUED, pid=os.getpid()).write(run.path)
    with pytest.raises(RunBusy, match="stop it before resuming"):
        require_resume(run)
    _end(run, RunState.FINISHED, 100)  # finished, its checkpoints deleted since: not retrained by `resume`
    assert not can_resume(run) and "no checkpoint to resume from" in can_resume(run).reason


def test_no_resumable_checkpoint_is_refused(run):
    _end(run, RunState.FAILED, 3)
    weights_only = _checkpoint(run, 20, resumable=False)
    assert "no checkpoint to resume from" in can_resume(run).reason
    assert f"aigc-tui train {run.config_path}" in can_resume(run).reason
    with pytest.raises(AigcError, match="holds weights only"):
        require_resume(run, weights_only)


def test_a_finished_run_resumes_only_from_a_checkpoint_before_its_end(run):
    early = _checkpoint(run, 50)
    _checkpoint(run, 100)
    _end(run, RunState.FINISHED, 100)
    refused = can_resume(run)
    assert not refused and "already trained all 100 steps" in refused.reason
    assert can_resume(run, early).start == early  # the CLI's --from and the app's Checkpoints `r` alike
    assert can_resume(run, steps=200)  # a raised total makes the end resumable (issue 11's hook)
