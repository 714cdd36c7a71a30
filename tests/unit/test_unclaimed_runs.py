"""A run no worker has claimed: `queued` with no pid, because its launcher was killed between
creating the run and starting its worker (tester6 F17b). Nothing would ever act on a stop
request, so `stop`, `rm`, `archive` and `resume` each act on it themselves, and a launcher that
races a stop never brings the stopped run back to life."""

from __future__ import annotations

import pytest

from aigc_tui.cli import main
from aigc_tui.errors import AigcError
from aigc_tui.launch.spawn import claim_run, spawn_worker
from aigc_tui.launch.start import restart_note
from aigc_tui.runs import RunState, create_run, list_runs
from aigc_tui.runs.layout import CONTROL_DIR, can_resume
from aigc_tui.runs.stopping import stop_run


def _unclaimed(root, name):
    run = create_run(root, f'kind = "gan"\nname = "{name}"\n[run]\nsteps = 20\n', name, run_id=name)
    status = run.status()
    assert (status.state, status.pid) == (RunState.QUEUED, None)  # what a killed launcher leaves
    return run


def test_stop_rm_archive_and_resume_all_work_on_a_run_no_worker_claimed(runs_dir, capsys):
    stopped, removed, archived, resumed = (_unclaimed(runs_dir, n) for n in ("a", "b", "c", "d"))
    assert main(["stop", "a", "--runs-dir", str(runs_dir)]) == 0
    assert capsys.readouterr().out.strip() == "stopped a: no worker had started it (`aigc-tui resume a` starts it)"
    assert stopped.status().state is RunState.STOPPED
    assert not any((stopped.path / CONTROL_DIR).iterdir())  # no stale request to stop its next worker at once
    assert main(["stop", "a", "--runs-dir", str(runs_dir)]) == 2
    assert capsys.readouterr().err.strip() == "error: run a is not running (it is stopped)"
    assert main(["rm", "b", "--yes", "--runs-dir", str(runs_dir)]) == 0
    assert main(["archive", "c", "--runs-dir", str(runs_dir)]) == 0
    assert [r.id for r in list_runs(runs_dir)] == ["a", "d"]
    verdict = can_resume(resumed)
    assert verdict.ok and verdict.restart, verdict.reason
    assert restart_note(resumed) == "no worker had started it (its launcher ended first), so it starts now"


def test_a_stop_that_beats_the_launcher_to_the_lock_keeps_the_run_stopped(runs_dir):
    run = _unclaimed(runs_dir, "raced")
    stop_run(run)
    with pytest.raises(AigcError, match="run raced was stopped before its worker started"):
        spawn_worker(run, new=True)
    status = run.status()
    assert (status.state, status.pid) == (RunState.STOPPED, None)  # no worker was started


def test_a_stop_while_the_launcher_starts_the_worker_is_left_for_the_worker(runs_dir):
    run = _unclaimed(runs_dir, "starting")
    lock = claim_run(run, new=True)  # the launcher, between taking the lock and starting the worker
    try:
        assert stop_run(run) == "stop requested for starting"
        assert run.status().state is RunState.QUEUED
        assert len(list((run.path / CONTROL_DIR).iterdir())) == 1  # the worker acts on it as it starts
    finally:
        lock.close()
