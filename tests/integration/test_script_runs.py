"""`aigc-tui run -- CMD`: any command as a run, supervised detached; stop, failure, kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from helpers import REPO, cli_env, wait_for

from aigc_tui.errors import RunBusy
from aigc_tui.runs import RunState, find_run, list_runs
from aigc_tui.runs.lock import RunLock

SCRIPTS = REPO / "tests" / "scripts"


def _cli(*args: str, check: bool = True, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "aigc_tui", *args], capture_output=True, text=True,
                          env=cli_env(), timeout=300, cwd=cwd)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _wait_for(predicate, timeout: float = 120.0, what: str = "condition"):
    return wait_for(predicate, timeout, what, poll=0.1)


def _start(runs_dir: Path, *command: str, cwd: Path | None = None, extra: tuple[str, ...] = ()):
    out = _cli("run", "--runs-dir", str(runs_dir), *extra, "--", *command, cwd=cwd).stdout
    return find_run(runs_dir, out.split()[1])


def _strict_lines(path: Path) -> list[dict]:
    """Every complete line parses as strict JSON (no bare NaN) — what a killed writer must leave."""
    def refuse(token: str):
        raise AssertionError(f"non-strict JSON token {token}")

    text = path.read_text()
    lines = text.split("\n")[:-1]  # a torn last line (no newline yet) is the reader's to skip
    return [json.loads(line, parse_constant=refuse) for line in lines]


def test_tracked_script_is_listed_plotted_and_stops_after_should_stop(tmp_path, runs_dir):
    run = _start(runs_dir, sys.executable, str(SCRIPTS / "tracked_loop.py"), "loop", cwd=tmp_path)
    status = run.status()
    assert os.getsid(status.pid) == status.pid != os.getsid(0)  # its own session
    _wait_for(lambda: run.status().step >= 10, what="the script to log")
    config = tomllib.loads(run.config_path.read_text())
    assert config["kind"] == "script"
    assert config["script"]["command"][-2:] == [str(SCRIPTS / "tracked_loop.py"), "loop"]
    assert config["script"]["cwd"] == str(tmp_path.resolve()) and "python" in config["versions"]
    assert json.loads((run.path / "params.json").read_text()) == {"lr": 0.1, "mode": "loop"}
    with pytest.raises(RunBusy, match="already has a live worker"):
        RunLock.acquire(run.path)  # one supervisor per run, like one worker per recipe run
    rows = json.loads(_cli("runs", "--json", "--runs-dir", str(runs_dir)).stdout)
    (row,) = [r for r in rows if r["id"] == run.id]
    assert row["kind"] == "script" and row["state"] == "running" and "tracked_loop.py loop" in row["command"]

    assert "stop requested" in _cli("stop", run.id, "--runs-dir", str(runs_dir)).stdout
    _wait_for(lambda: not run.status().state.is_live, what="the run to end")
    status = run.status()
    assert status.state is RunState.STOPPED and status.exit_code == 0  # it stopped itself: no signal
    log = run.log_path.read_text()
    assert "after should_stop" in log and "SIGINT" not in log
    records = _strict_lines(run.path / "metrics.jsonl")
    assert [r["grad_norm"] for r in records if r["step"] == 2 and "grad_norm" in r] == ["nan"]
    assert [r["step"] for r in records if "val_loss" in r][:2] == [0, 5]
    (ckpt,) = run.checkpoints()
    assert ckpt.kind == "script" and ckpt.metrics["loss"] > 0 and not ckpt.resumable
    assert (ckpt.path / "weights.bin").read_bytes() == b"\0" * 16  # a link to the script's own files
    assert any(p.suffix == ".txt" for p in run.samples())
    again = _cli("resume", run.id, "--runs-dir", str(runs_dir), check=False)
    assert again.returncode == 2 and "script run" in again.stderr


def test_script_that_raises_fails_with_the_last_stderr_lines(tmp_path, runs_dir):
    proc = _cli("run", "--attach", "--runs-dir", str(runs_dir), "--", sys.executable,
                str(SCRIPTS / "tracked_loop.py"), "raise", check=False, cwd=tmp_path)
    assert proc.returncode == 1
    assert "ValueError: the loss went sideways" in proc.stdout  # --attach prints its output
    (run,) = list_runs(runs_dir)
    status = run.status()
    assert status.state is RunState.FAILED and status.exit_code == 1
    assert status.error == "exit code 1: ValueError: the loss went sideways"
    assert "Traceback" in status.traceback and "tracked_loop.py" in status.traceback
    assert status.step == 3  # the last logged step reached status.json at exit


def test_plain_command_gets_sigint_then_sigterm_each_logged(tmp_path, runs_dir):
    stubborn = tmp_path / "stubborn.py"
    stubborn.write_text(
        "import signal, sys, time\n"
        "signal.signal(signal.SIGINT, lambda *_: print('ignoring SIGINT', flush=True))\n"
        "print('ready', flush=True)\n"
        "while True: time.sleep(0.05)\n"
    )
    run = _start(runs_dir, sys.executable, str(stubborn), extra=("--grace", "0.5"))
    _wait_for(lambda: "ready" in run.log_path.read_text(), what="the command to start")
    _cli("stop", run.id, "--runs-dir", str(runs_dir))
    _wait_for(lambda: not run.status().state.is_live, what="the run to end")
    status = run.status()
    assert status.state is RunState.STOPPED and status.exit_code == -signal.SIGTERM
    log = run.log_path.read_text()
    assert log.index("sending SIGINT") < log.index("ignoring SIGINT") < log.index("sending SIGTERM")


def test_stop_after_the_supervisor_died_signals_the_command_itself(tmp_path, runs_dir):
    """tester6 G10: with the supervisor killed (kill -9, the OOM killer) nobody acts on a stop
    request; `stop` signals the command's process group as the supervisor would, a step further each time."""
    from aigc_tui.runs.status import pid_alive

    stubborn = tmp_path / "stubborn.py"
    stubborn.write_text(
        "import signal, sys, time\n"
        "signal.signal(signal.SIGINT, lambda *_: print('ignoring SIGINT', flush=True))\n"
        "print('ready', flush=True)\n"
        "while True: time.sleep(0.05)\n"
    )
    run = _start(runs_dir, sys.executable, str(stubborn))
    _wait_for(lambda: "ready" in run.log_path.read_text(), what="the command to start")
    status = run.status()
    assert status.supervisor_pid and status.pid != status.supervisor_pid
    os.kill(status.supervisor_pid, signal.SIGKILL)
    _wait_for(lambda: not pid_alive(status.supervisor_pid), what="the supervisor to die")
    assert run.status().state is RunState.RUNNING  # its command runs on
    rows = json.loads(_cli("runs", "--json", "--runs-dir", str(runs_dir)).stdout)
    assert [r["state_text"] for r in rows if r["id"] == run.id] == ["running (unsupervised)"]

    first = _cli("stop", run.id, "--runs-dir", str(runs_dir)).stdout
    assert first.startswith(f"the supervisor of {run.id} (pid {status.supervisor_pid}) is gone: sent SIGINT to "
                            f"its command (process group {status.pid}); `aigc-tui stop` again sends SIGTERM"), first
    _wait_for(lambda: "ignoring SIGINT" in run.log_path.read_text(), what="the command to get SIGINT")
    second = _cli("stop", run.id, "--runs-dir", str(runs_dir)).stdout
    assert "sent SIGTERM to its command" in second, second
    _wait_for(lambda: not pid_alive(status.pid), what="the command to end")
    assert run.status().state in (RunState.STOPPED, RunState.LOST)  # stopped when `stop` saw it end (H4)


def test_stop_of_an_unsupervised_command_that_ends_records_it_stopped(tmp_path, runs_dir):
    """tester7 H4: the command died of the SIGINT `stop` sent, yet the run read `lost`, time 0s,
    and the stop request stayed in control/ forever."""
    from aigc_tui.runs.script import stop_requests
    from aigc_tui.runs.status import pid_alive

    run = _start(runs_dir, sys.executable, "-c", "import time; print('hello', flush=True); time.sleep(120)")
    _wait_for(lambda: "hello" in run.log_path.read_text() and run.status().supervisor_pid, what="the command to start")
    status = run.status()
    os.kill(status.supervisor_pid, signal.SIGKILL)
    _wait_for(lambda: not pid_alive(status.supervisor_pid), what="the supervisor to die")
    out = _cli("stop", run.id, "--runs-dir", str(runs_dir)).stdout
    assert out.strip().endswith("and it ended: the run is stopped"), out
    ended = run.status()
    assert ended.state is RunState.STOPPED and ended.ended_at > ended.started_at
    assert stop_requests(run.path) == []
    rows = json.loads(_cli("runs", "--json", "--runs-dir", str(runs_dir)).stdout)
    assert [r["state_text"] for r in rows if r["id"] == run.id] == ["stopped"]


def test_kill_9_reads_lost_and_files_stay_valid(tmp_path, runs_dir):
    run = _start(runs_dir, sys.executable, str(SCRIPTS / "tracked_loop.py"), "forever", cwd=tmp_path)
    _wait_for(lambda: run.status().step >= 5, what="the script to log")
    os.kill(run.status().pid, signal.SIGKILL)  # what the OOM killer does
    _wait_for(lambda: run.status().state is RunState.LOST, what="the run to read as lost")
    assert "gone without writing an end state" in run.status().error
    assert "SIGKILL" in run.log_path.read_text()
    assert _strict_lines(run.path / "metrics.jsonl")
    assert json.loads((run.path / "status.json").read_text())["state"] == "running"


def test_bad_run_commands_get_one_line_errors(runs_dir):
    for args, message in (
        ((), "no command given"),
        (("--", "no-such-command-xyz"), "command not found: no-such-command-xyz"),
        (("--gpus", "a,b", "--", "true"), "--gpus 'a,b' is not GPU indices"),
    ):
        proc = _cli("run", "--runs-dir", str(runs_dir), *args, check=False)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert list_runs(runs_dir) == []


def test_gpus_none_hides_every_gpu(runs_dir):
    code = "import os; print('CVD=[' + os.environ['CUDA_VISIBLE_DEVICES'] + ']')"
    proc = _cli("run", "--attach", "--gpus", "none", "--runs-dir", str(runs_dir), "--", sys.executable, "-c", code)
    assert "CVD=[]" in proc.stdout
    (run,) = list_runs(runs_dir)
    assert run.status().state is RunState.FINISHED and run.status().device == "cpu"


def test_gpus_go_through_the_queue_and_a_queued_run_can_be_stopped(tmp_path, runs_dir, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")  # two GPUs as far as the queue can tell
    hold = tmp_path / "hold.py"
    hold.write_text("import os, time\nprint('CVD=' + os.environ['CUDA_VISIBLE_DEVICES'], flush=True)\n"
                    "while True: time.sleep(0.05)\n")
    first = _start(runs_dir, sys.executable, str(hold), extra=("--gpus", "1", "--grace", "0.5"))
    _wait_for(lambda: "CVD=1" in first.log_path.read_text(), what="the first run to hold GPU 1")
    assert first.status().device.startswith("cuda:1")
    second = _start(runs_dir, sys.executable, str(hold), extra=("--gpus", "any:2", "--grace", "0.5"))
    third = _start(runs_dir, sys.executable, str(hold), extra=("--gpus", "0", "--grace", "0.5"))
    _wait_for(lambda: second.status().queue_position == 1, what="the second run to queue")
    _wait_for(lambda: third.status().queue_position == 2 and third.status().state is RunState.QUEUED,
              what="the third run to queue behind it")  # GPU 0 is free, but the second run asked first
    _cli("stop", third.id, "--runs-dir", str(runs_dir))
    _wait_for(lambda: third.status().state is RunState.STOPPED, what="the queued run to stop")
    assert "left the queue" in third.log_path.read_text() and "CVD" not in third.log_path.read_text()
    _cli("stop", first.id, "--runs-dir", str(runs_dir))
    _wait_for(lambda: "CVD=0,1" in second.log_path.read_text(), what="the second run to get both GPUs")
    assert second.status().state is RunState.RUNNING
    _cli("stop", second.id, "--runs-dir", str(runs_dir))
    _wait_for(lambda: second.status().state is RunState.STOPPED, what="the second run to stop")
    missing = _cli("run", "--gpus", "5", "--runs-dir", str(runs_dir), "--", "true", check=False)
    assert missing.returncode == 2 and "no GPU 5 here" in missing.stderr


def test_a_run_whose_launcher_died_before_recording_its_supervisor_still_queues_and_stops(tmp_path, runs_dir,
                                                                                          monkeypatch):
    """tester6 F17b: `aigc-tui run --gpus` killed between starting the supervisor and writing its pid
    left a queued run with no pid waiting for GPUs: it read lost after two minutes while it waited,
    and stop, rm and resume all refused it. The supervisor records itself before it queues."""
    from aigc_tui.runs import create_run
    from aigc_tui.runs.queue import request_for, try_acquire
    from aigc_tui.track.provenance import script_config_toml, script_section

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")  # one GPU as far as the queue can tell
    held = try_acquire(runs_dir, request_for("0"), "another-run")  # busy: the run has to wait
    section = script_section(["true"], tmp_path, started_by="aigc-tui run", gpus="0", grace=0.5)
    run = create_run(runs_dir, script_config_toml("orphan", section), "orphan")
    supervisor = subprocess.Popen([sys.executable, "-m", "aigc_tui.launch.supervise", str(run.path)],
                                  env=cli_env(), start_new_session=True)  # all its killed launcher did
    try:
        _wait_for(lambda: run.status().queue_position == 1, what="the run to queue for GPU 0")
        status = run.status()
        assert (status.state, status.pid) == (RunState.QUEUED, supervisor.pid)
        _cli("stop", run.id, "--runs-dir", str(runs_dir))
        _wait_for(lambda: run.status().state is RunState.STOPPED, what="the queued run to stop")
        assert supervisor.wait(timeout=60) == 1
    finally:
        held.release()
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def test_gpus_any_on_a_machine_without_gpus_names_runs_own_way_out(runs_dir, monkeypatch):
    """tester7 H16: `run --gpus any:2` advised `--device cpu [--nproc N]`, options `run` does not have."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # no GPU as far as the queue can tell
    proc = _cli("run", "--gpus", "any:2", "--runs-dir", str(runs_dir), "--", "true", check=False)
    assert proc.returncode == 2 and "this machine has no GPU; drop --gpus (or give --gpus none)" in proc.stderr, \
        proc.stderr
    assert "--device" not in proc.stderr and list_runs(runs_dir) == []
