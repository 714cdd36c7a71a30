"""A run that ended before its first checkpoint starts over on `resume` (tester4 E15), and its
metrics read as one curve: the steps logged again replace the first attempt's, as after any resume."""

from __future__ import annotations

import json
import os
import signal

import numpy as np
from helpers import TINY_GAN, merge, wait_for

from aigc_tui.cli import main
from aigc_tui.config import dump_toml, validate
from aigc_tui.launch import spawn_worker
from aigc_tui.runs import MetricsReader, RunState, create_run
from aigc_tui.runs.status import pid_alive

NEVER_CHECKPOINTS = merge(TINY_GAN, name="victim", run={"steps": 1_000_000, "checkpoint_every": 0, "log_every": 5,
                                                         "sample_every": 0})


def _steps(run) -> np.ndarray:
    reader = MetricsReader(run.path)
    reader.poll()
    series = reader.series.get("loss_d")
    return series.steps if series is not None else np.array([], dtype=np.int64)


def test_a_run_killed_before_its_first_checkpoint_resumes_from_step_0_as_one_curve(runs_dir, capsys):
    config = validate(NEVER_CHECKPOINTS)
    run = create_run(runs_dir, dump_toml(config), config.name)
    pid = spawn_worker(run)
    wait_for(lambda: len(_steps(run)) >= 4, what="steps logged")
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(pid), what="the kill")
    assert run.status().state is RunState.LOST and not run.checkpoints()
    lost_at = int(_steps(run)[-1])

    assert main(["resume", run.id, "--set", "run.steps=30", "--runs-dir", str(runs_dir)]) == 0
    out = capsys.readouterr().out
    assert "it ended before its first checkpoint, so it starts over from step 0" in out
    status = run.status()
    assert (status.state, status.step) == (RunState.FINISHED, 30)
    assert "from step 0 to 30" in run.log_path.read_text()
    steps = _steps(run)  # one curve: 5, 10, ..., 30, none of the first attempt's left after them
    assert list(steps) == [5, 10, 15, 20, 25, 30], (lost_at, steps)
    logged = [json.loads(line)["step"] for line in run.path.joinpath("metrics.jsonl").read_text().splitlines()]
    assert logged.count(5) == 2 and max(logged) >= lost_at  # the file keeps both attempts (append-only)


def test_a_live_run_without_a_checkpoint_is_never_restarted(runs_dir, capsys):
    config = validate(NEVER_CHECKPOINTS)
    run = create_run(runs_dir, dump_toml(config), config.name)
    pid = spawn_worker(run)
    try:
        wait_for(lambda: run.status().state is RunState.RUNNING, what="the worker")
        assert main(["resume", run.id, "--detach", "--runs-dir", str(runs_dir)]) == 2
        assert "stop it before resuming" in capsys.readouterr().err
        assert run.status().pid == pid
    finally:
        os.kill(pid, signal.SIGKILL)


def test_a_stop_request_no_worker_ever_read_does_not_stop_the_next_one(runs_dir, capsys):
    """A `stop` whose worker was killed before it read the request (or, before tester6 F17b, one
    sent to a run no worker had claimed) stayed in control/, and the run's next worker stopped at once."""
    from aigc_tui.runs import ControlAction, request_control

    config = validate(merge(NEVER_CHECKPOINTS, run={"steps": 10}))
    run = create_run(runs_dir, dump_toml(config), config.name)
    request_control(run.path, ControlAction.STOP)  # for a worker gone without reading it
    assert main(["resume", run.id, "--runs-dir", str(runs_dir)]) == 0
    status = run.status()
    assert (status.state, status.step) == (RunState.FINISHED, 10), capsys.readouterr().out
