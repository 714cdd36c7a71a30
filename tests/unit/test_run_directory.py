"""The run-directory contract read by the CLI and app: metrics tail, status, control, checkpoints."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aigc_tui.runs import (
    ControlAction,
    MetricsReader,
    MetricsWriter,
    RunNotFound,
    RunState,
    RunStatus,
    create_run,
    find_run,
    list_runs,
    request_control,
)
from aigc_tui.runs.atomic import atomic_directory
from aigc_tui.runs.checkpoints import list_checkpoints, prune_checkpoints
from aigc_tui.runs.control import take_requests


@pytest.fixture
def run(runs_dir):
    return create_run(runs_dir, 'kind = "gan"\nname = "demo"\n', "demo")


def test_new_run_is_a_queued_directory_with_its_config(run, runs_dir):
    assert run.path.parent == runs_dir
    assert (run.path / "config.toml").read_text().startswith('kind = "gan"')
    assert run.status().state is RunState.QUEUED
    assert {p.name for p in run.path.iterdir()} >= {"checkpoints", "samples", "control", "status.json"}
    assert [r.id for r in list_runs(runs_dir)] == [run.id]


def test_metrics_reader_reads_only_new_bytes_and_skips_a_torn_last_line(run):
    writer = MetricsWriter(run.path)
    writer.write(1, {"loss": 1.0})
    writer.write(2, {"loss": 0.5, "acc": float("nan")})
    reader = MetricsReader(run.path)
    assert reader.poll() == 2
    with open(run.path / "metrics.jsonl", "a") as f:  # a writer caught mid-line
        f.write('{"step": 3, "loss": 0.2')
    assert reader.poll() == 0
    offset = reader.offset
    with open(run.path / "metrics.jsonl", "a") as f:
        f.write(', "time": 1}\n')
    assert reader.poll() == 1
    assert reader.offset > offset
    assert reader.series["loss"].values.tolist() == [1.0, 0.5, 0.2]
    assert reader.series["loss"].steps.tolist() == [1, 2, 3]
    assert str(reader.series["acc"].values[0]) == "nan"  # NaN kept visible, not dropped
    assert reader.last["step"] == 3
    assert reader.poll() == 0


def test_metrics_rewind_when_a_run_resumes_from_an_earlier_step(run):
    writer = MetricsWriter(run.path)
    for step in (10, 20, 30):
        writer.write(step, {"loss": step / 10})
    writer.write(20, {"loss": 9.0})  # resumed from the step-10 checkpoint's successor
    reader = MetricsReader(run.path)
    reader.poll()
    assert reader.series["loss"].steps.tolist() == [10, 20]
    assert reader.series["loss"].values.tolist() == [1.0, 9.0]


def test_unknown_and_ambiguous_runs_get_clear_errors(runs_dir):
    a = create_run(runs_dir, 'name = "a"\n', "same")
    b = create_run(runs_dir, 'name = "a"\n', "same")
    with pytest.raises(RunNotFound, match="no run 'nope'"):
        find_run(runs_dir, "nope")
    with pytest.raises(RunNotFound, match="ambiguous"):
        find_run(runs_dir, "same")
    assert find_run(runs_dir, b.id) == b
    assert find_run(runs_dir, str(a.path)).id == a.id
    assert find_run(runs_dir, "a").id == b.id  # a name means its newest run


def test_a_live_run_whose_worker_died_reads_as_lost(run):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    status = RunStatus(state=RunState.RUNNING, pid=proc.pid, step=5, total_steps=10)
    status.write(run.path)
    seen = run.status()
    assert seen.state is RunState.LOST
    assert f"pid {proc.pid}" in seen.error
    # the verdict is the reader's: the file itself still says running
    assert json.loads((run.path / "status.json").read_text())["state"] == "running"


def test_a_live_worker_reads_as_running(run):
    import os

    RunStatus(state=RunState.RUNNING, pid=os.getpid()).write(run.path)
    assert run.status().state is RunState.RUNNING


def test_unreadable_status_is_lost_not_a_crash(run):
    (run.path / "status.json").write_text("{not json")
    assert run.status().state is RunState.LOST


def test_control_requests_are_taken_once_in_order(run):
    request_control(run.path, ControlAction.SAVE)
    request_control(run.path, "stop")
    assert take_requests(run.path) == [ControlAction.SAVE, ControlAction.STOP]
    assert take_requests(run.path) == []
    with pytest.raises(ValueError):
        request_control(run.path, "explode")


def _fake_checkpoint(run, step, loss):
    with atomic_directory(run.path / "checkpoints" / f"step-{step:08d}") as tmp:
        (tmp / "meta.json").write_text(json.dumps({"step": step, "time": step, "metrics": {"loss": loss}}))


def test_prune_keeps_the_newest_and_the_best(run):
    for step, loss in [(1, 0.1), (2, 0.9), (3, 0.8), (4, 0.7)]:
        _fake_checkpoint(run, step, loss)
    prune_checkpoints(run.path, keep_last=2, best_metric="loss")
    assert [c.step for c in list_checkpoints(run.path)] == [1, 3, 4]


def test_a_half_built_checkpoint_is_never_listed(run):
    with pytest.raises(RuntimeError), atomic_directory(run.path / "checkpoints" / "step-00000009") as tmp:
        (tmp / "meta.json").write_text(json.dumps({"step": 9}))
        raise RuntimeError("killed mid-write")
    assert list_checkpoints(run.path) == []
    assert list((run.path / "checkpoints").iterdir()) == []


def test_atomic_files_and_folders_get_normal_modes(tmp_path):
    """Atomic writes go through mkstemp/mkdtemp (0600/0700): the result follows the umask like any file."""
    import os
    import stat

    from aigc_tui.runs.atomic import atomic_directory, atomic_write_text

    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.png", "x")
        with atomic_directory(tmp_path / "ckpt") as folder:
            (folder / "w").write_text("w")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.png").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "ckpt").stat().st_mode) == 0o755
