"""A full disk (simulated by a file-size limit) stops a run with one line naming what was not
written, and leaves every file whole: no half checkpoint, no torn metrics line."""

from __future__ import annotations

import json
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
