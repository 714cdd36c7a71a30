"""A full disk (simulated by a file-size limit) stops a run with one line naming what was not
written, and leaves every file whole: no half checkpoint, no torn metrics line."""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys

from helpers import TINY_GAN, cli_env, merge, write_recipe

from aigc_tui.runs import RunState, list_runs


def _limit(nbytes: int):
    def apply() -> None:  # writes past nbytes fail with EFBIG, as writes on a full disk fail with ENOSPC
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return apply


def test_a_checkpoint_that_cannot_be_written_fails_the_run_in_one_line(tmp_path):
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, run={"steps": 10, "checkpoint_every": 5,
                                                                       "sample_every": 0}))
    runs = tmp_path / "runs"
    proc = subprocess.run([sys.executable, "-m", "aigc_tui", "train", str(recipe), "--runs-dir", str(runs)],
                          capture_output=True, text=True, env=cli_env(), timeout=180,
                          preexec_fn=_limit(12_000))  # the log and metrics fit; the ~20 KB weights do not
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Traceback" not in output and "SafetensorError" not in output, output
    (last,) = [line for line in output.splitlines() if line.startswith("error: run failed")]
    assert last.startswith("error: run failed: checkpoint step-00000005 not written: "), output
    assert "File too large" in last or "a full disk" in last, last  # which file hits the limit first varies
    (run,) = list_runs(runs)
    status = run.status()
    assert status.state is RunState.FAILED and status.error.startswith("checkpoint step-00000005 not written")
    assert not list((run.path / "checkpoints").iterdir())  # nothing half-written left behind


def test_metrics_that_cannot_be_appended_leave_whole_lines(tmp_path):
    script = (
        "import sys\n"
        "from aigc_tui.errors import StorageError\n"
        "from aigc_tui.runs.metrics import MetricsWriter\n"
        f"w = MetricsWriter({str(tmp_path)!r}, sidecar=False)\n"
        "step = 0\n"
        "try:\n"
        "    while True:\n"
        "        w.write(step, {'loss': 1.0 / (step + 1), 'lr': 0.001})\n"
        "        step += 1\n"
        "except StorageError as exc:\n"
        "    print(step, exc.one_line())\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=cli_env(),
                          timeout=60, preexec_fn=_limit(1_000))
    assert proc.returncode == 0, proc.stderr
    written, message = proc.stdout.split(" ", 1)
    assert message.startswith("metrics not written: File too large") and "metrics.jsonl" in message
    text = (tmp_path / "metrics.jsonl").read_text()
    assert text.endswith("\n")
    lines = text.splitlines()
    assert [json.loads(line)["step"] for line in lines] == list(range(int(written)))


class _StatusDiskFull:
    """`os` as aigc_tui.runs.atomic sees it, on a disk that fills up after the first metrics line:
    the log and metrics.jsonl still fit (tester6 G2), a new status.json (its temp file) does not,
    and rewriting the existing status.json inside its own blocks still works, as on a real full disk."""

    def __init__(self, run_root):
        self.run_root = run_root

    def __getattr__(self, name):
        return getattr(os, name)

    def fsync(self, fd: int) -> None:
        target = os.readlink(f"/proc/self/fd/{fd}")
        full = any(m.stat().st_size for m in self.run_root.glob("*/metrics.jsonl"))
        if full and "/.status.json." in target:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as flush/fsync report it: no file name
        os.fsync(fd)


def test_a_status_that_cannot_be_written_fails_the_run_in_one_line(tmp_path, monkeypatch, capsys):
    """On a runs root of its own (a small disk), whose --runs-dir the hint's command carries (tester7 H1)."""
    from aigc_tui.cli import main
    from aigc_tui.runs import atomic

    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, name="full2", run={
        "steps": 300, "log_every": 3, "checkpoint_every": 0, "sample_every": 0}))
    runs_dir = tmp_path / "small"
    runs_dir.mkdir()
    monkeypatch.setattr(atomic, "os", _StatusDiskFull(runs_dir))
    code = main(["train", str(recipe), "--runs-dir", str(runs_dir)])
    out = capsys.readouterr()
    output = out.out + out.err
    (run,) = list_runs(runs_dir)
    assert code == 1, output  # a run that failed, not a bad input (2)
    assert "Traceback" not in output and "Traceback" not in run.log_path.read_text(), output
    (last,) = [line for line in output.splitlines() if line.startswith("error:")]
    path = run.path / "status.json"
    assert last == (f"error: run failed: disk full writing {path} (No space left on device) "
                    f"(free space, then `aigc-tui resume {run.id} --runs-dir {runs_dir}`)"), output
    status = run.status()  # the end state got in all the same: failed with the reason, not `lost`
    assert status.state is RunState.FAILED and status.step == 3, status
    assert status.error.startswith(f"disk full writing {path}"), status.error
    assert not [p.name for p in run.path.iterdir() if p.name.endswith(".tmp")]


def test_a_file_the_disk_refuses_is_named(tmp_path, runs_dir):
    """tester6 G25: the message says which file (so which mount) to clean, not only the errno."""
    from aigc_tui.runs import create_run

    run = create_run(runs_dir, 'kind = "gan"\nname = "a"\n', "a", run_id="a")
    proc = subprocess.run([sys.executable, "-m", "aigc_tui", "note", "a", "x" * 1900, "--runs-dir", str(runs_dir)],
                          capture_output=True, text=True, env=cli_env(), timeout=60, preexec_fn=_limit(1_000))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr == f"error: File too large ({run.path / 'notes.json'})\n"
    assert not (run.path / "notes.json").exists() and not list(run.path.glob(".notes.json.*"))
