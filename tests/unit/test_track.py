"""The tracking API a script calls: strict JSON lines, media, checkpoint registration, control, end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from helpers import REPO
from PIL import Image

from aigc_tui import track
from aigc_tui.errors import RunBusy
from aigc_tui.runs import (
    ControlAction,
    MetricsReader,
    RunState,
    list_checkpoints,
    list_runs,
    request_control,
)
from aigc_tui.runs.lock import RunLock
from aigc_tui.runs.status import RunStatus


@pytest.fixture
def run(runs_dir, monkeypatch):
    monkeypatch.delenv("AIGC_TUI_RUN_DIR", raising=False)
    monkeypatch.setattr(track, "_current", None)
    monkeypatch.setattr(track, "_hook_exit", lambda run: None)  # this process is pytest's
    run = track.init(name="by-hand", config={"lr": 0.1, "layers": [2, 4], "path": runs_dir})
    yield run
    run.finish()


def test_by_hand_creates_a_running_script_run_with_its_config(run, runs_dir):
    (listed,) = list_runs(runs_dir)
    assert listed.path == run.path and listed.kind == "script" and listed.name == "by-hand"
    assert listed.config()["script"]["command"][0] == sys.executable
    assert json.loads((run.path / "params.json").read_text()) == {"lr": 0.1, "layers": [2, 4], "path": str(runs_dir)}
    status = listed.status()
    assert status.state is RunState.RUNNING and status.pid == os.getpid()
    assert track.init() is run  # one run per process
    with pytest.raises(RunBusy):
        RunLock.acquire(run.path)  # this process works the run


def test_log_writes_strict_json_lines_and_same_step_lines_merge(run):
    run.log({"loss": 2.5, "acc": np.float32(0.25), "n": 3}, step=10)
    run.log({"eval_loss": float("nan"), "big": float("inf")}, step=10)
    run.log({"loss": 1.5})  # no step: the next one
    lines = (run.path / "metrics.jsonl").read_text().splitlines()
    records = [json.loads(line, parse_constant=pytest.fail) for line in lines]
    assert [r["step"] for r in records] == [10, 10, 11]
    assert records[1]["eval_loss"] == "nan" and records[1]["big"] == "inf"
    reader = MetricsReader(run.path)
    reader.poll()
    assert reader.series["loss"].steps.tolist() == [10, 11] and reader.series["eval_loss"].steps.tolist() == [10]
    with pytest.raises(TypeError, match="metric 'phase' is a str"):
        run.log({"phase": "warmup"})


@pytest.mark.parametrize(("values", "step", "error", "message"), [
    ({"lo\nss": 1.0}, 4, ValueError, r"metric name 'lo\\nss': names must be 1-100 printable characters"),
    ({"": 2.0}, 4, ValueError, "metric name '': names must be 1-100 printable characters"),
    ({"a" * 500: 3}, 4, ValueError, "names must be 1-100 printable characters"),
    ({7: 1.0}, 4, TypeError, "metric name 7 is a int, not a str"),
    ({"step": 1.0}, 4, ValueError, "metric name 'step' is taken"),
    ({"loss": 1.0}, 1.5, TypeError, "step 1.5 is not a whole number"),
    ({"loss": 1.0}, -1, ValueError, "step -1 is negative"),
    ({"loss": 10**400}, 4, ValueError, "metric 'loss' = an int of 1329 bits does not fit a float"),
    ({"loss": True}, 4, TypeError, "metric 'loss' is a bool, not a number"),
    ({"ok": np.bool_(False)}, 4, TypeError, "metric 'ok' is a bool"),
])
def test_log_refuses_names_and_steps_the_app_cannot_show(run, values, step, error, message):
    """A newline cut the name in the picker, an empty one was a blank row, a 500-character one
    pushed the legend off; 1.5 was stored as 1 and -1 accepted (tester6 G28); 10**400 raised a bare
    OverflowError naming no metric and True was plotted as 1.0 (tester7 H15). Nothing is written."""
    run.log({"loss": 1.0}, step=2)
    with pytest.raises(error, match=message):
        run.log(values, step=step)
    assert len((run.path / "metrics.jsonl").read_text().splitlines()) == 1
    run.log({"loss": 0.5, "名前 with spaces": 1.0}, step=np.int64(3.0))  # still fine: any printable name
    run.log({"loss": 0.4}, step=4.0)
    run.log({"loss": 0.3})
    assert [json.loads(line)["step"] for line in (run.path / "metrics.jsonl").read_text().splitlines()] == [2, 3, 4, 5]


def test_media_and_finish_misuse_each_say_what_is_wrong(run, tmp_path):
    with pytest.raises(ValueError, match="track: log_image wants an image"):
        run.log_image("samples", [[1, 2], [3]], 5)
    script = tmp_path / "train.py"
    script.write_text("print()\n")
    with pytest.raises(NotADirectoryError, match=f"checkpoint {script} is a file"):
        run.checkpoint(script, 6)
    run.finish()
    with pytest.raises(ValueError, match=f"track: run {run.id} is finished; log before run.finish()"):
        run.log({"loss": 1.0}, step=7)


def test_images_and_text_land_in_samples_newest_last(run):
    run.log_image("grid", Image.new("RGB", (4, 4), "red"), step=2)
    run.log_image("grid", np.zeros((3, 5, 6), dtype=np.float32), step=10)  # CHW floats
    run.log_image("mask", np.full((5, 6), 255, dtype=np.uint8), step=10)
    run.log_text("sample", "once upon a time", step=10)
    names = [p.name for p in sorted((run.path / "samples").iterdir())]
    assert names == ["step-00000002-grid.png", "step-00000010-grid.png", "step-00000010-mask.png",
                     "step-00000010-sample.txt"]
    assert Image.open(run.path / "samples" / "step-00000010-grid.png").size == (6, 5)
    with pytest.raises(ValueError, match="shape"):
        run.log_image("bad", np.zeros((2, 2, 2, 2)))


def test_checkpoint_links_the_scripts_directory_without_owning_it(run, tmp_path):
    model = tmp_path / "out" / "checkpoint-20"
    model.mkdir(parents=True)
    (model / "config.json").write_text(json.dumps({"architectures": ["GPT2LMHeadModel"]}))
    (model / "model.safetensors").write_bytes(b"x" * 100)
    entry = run.checkpoint(model, step=20, metrics={"loss": 1.25, "nan": float("nan"), "flag": True})
    (ckpt,) = list_checkpoints(run.path)
    assert ckpt.path == entry and ckpt.step == 20 and ckpt.kind == "lm"
    assert ckpt.metrics == {"loss": 1.25} and ckpt.size_bytes() >= 100 and not ckpt.resumable
    other = tmp_path / "out" / "checkpoint-40"
    other.mkdir()
    shutil.rmtree(entry)  # deleting the entry (the app's `d`) leaves the script's files alone
    assert (model / "model.safetensors").is_file()
    run.checkpoint(model, step=20)
    shutil.rmtree(model)  # a Trainer's save_total_limit removed it
    run.checkpoint(other, step=40, kind="script")
    assert [c.step for c in list_checkpoints(run.path)] == [40]
    with pytest.raises(FileNotFoundError):
        run.checkpoint(tmp_path / "nope", step=1)


def test_control_requests_are_polled_cheaply_and_acted_on_once(run):
    assert not run.should_stop() and not run.should_save()
    assert (run.path / "control" / ".stop-polled").is_file()  # the supervisor will wait for it
    request_control(run.path, ControlAction.SAVE)
    request_control(run.path, ControlAction.SAVE)
    run._control_due = 0.0  # skip the 0.25 s poll interval instead of sleeping
    assert run.should_save() and not run.should_save()  # two requests, one save
    request_control(run.path, ControlAction.STOP)
    run._control_due = 0.0
    assert run.should_stop() and run.should_stop()
    run.finish()
    assert RunStatus.read(run.path).state is RunState.STOPPED
    RunLock.acquire(run.path).close()  # finish() let go of the run
    assert not list((run.path / "control").glob("*.json"))


def test_finish_by_hand_records_finished_or_the_error(runs_dir, tmp_path):
    script = tmp_path / "s.py"
    script.write_text(
        "import sys\nfrom aigc_tui import track\n"
        "run = track.init(name=sys.argv[1])\nrun.log({'loss': 1.0}, step=7)\n"
        "if sys.argv[1] == 'bad':\n    raise RuntimeError('diverged')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("AIGC_TUI_RUN_DIR", None)
    for name in ("good", "bad"):
        subprocess.run([sys.executable, str(script), name], env=env, capture_output=True, timeout=60)
    runs = {r.name: r.status() for r in list_runs(runs_dir)}
    assert runs["good"].state is RunState.FINISHED and runs["good"].step == 7
    assert runs["bad"].state is RunState.FAILED and runs["bad"].error == "RuntimeError: diverged"
    assert "diverged" in runs["bad"].traceback


def test_other_ranks_only_poll(runs_dir, monkeypatch, tmp_path):
    made, lock = track.init.__globals__["_create"]("rank-test", runs_dir)
    lock.close()
    monkeypatch.setenv("AIGC_TUI_RUN_DIR", str(made))
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setattr(track, "_current", None)
    monkeypatch.setattr(track, "_hook_exit", lambda run: None)
    run = track.init()
    run.log({"loss": 1.0}, step=1)
    assert not (made / "metrics.jsonl").exists() and run.checkpoint(tmp_path, 1) is None
    request_control(made, ControlAction.STOP)
    assert run.should_stop()


def test_the_last_record_merges_the_lines_of_its_step(run):
    run.log({"loss": 1.0}, step=5)
    run.log({"val_loss": 2.0}, step=5)
    reader = MetricsReader(run.path)
    reader.poll()
    assert reader.last["loss"] == 1.0 and reader.last["val_loss"] == 2.0
