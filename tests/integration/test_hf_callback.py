"""A tiny Hugging Face Trainer with WorkbenchCallback under `aigc-tui run`: metrics, checkpoints, stop."""

from __future__ import annotations

import json
import sys

from test_script_runs import SCRIPTS, _cli, _start, _wait_for

from aigc_tui.generate.resolve import resolve_model
from aigc_tui.runs import MetricsReader, RunState


def test_trainer_logs_registers_checkpoints_and_stops_with_one_saved(tmp_path, runs_dir):
    out = tmp_path / "out"
    run = _start(runs_dir, sys.executable, str(SCRIPTS / "hf_trainer_tiny.py"), str(out), "100000", cwd=tmp_path)
    _wait_for(lambda: run.checkpoints(), timeout=240, what="a first registered checkpoint")
    reader = MetricsReader(run.path)
    _wait_for(lambda: reader.poll() or "eval_loss" in reader.series, what="an eval")

    _cli("stop", run.id, "--runs-dir", str(runs_dir))
    _wait_for(lambda: not run.status().state.is_live, what="the Trainer to stop")
    status = run.status()
    assert status.state is RunState.STOPPED and status.exit_code == 0, run.log_path.read_text()[-2000:]
    assert "SIGINT" not in run.log_path.read_text()  # the callback stopped it, no signal needed
    reader.poll()
    assert {"loss", "eval_loss", "learning_rate"} <= set(reader.series)
    assert reader.series["loss"].values[-1] < reader.series["loss"].values[0]
    assert status.total_steps == 100000

    checkpoints = run.checkpoints()
    last = checkpoints[-1]
    assert last.step == status.step  # the stop saved a checkpoint at the step it stopped
    assert last.kind == "lm" and "loss" in last.metrics
    assert json.loads((last.path / "meta.json").read_text())["source"] == str(out / f"checkpoint-{last.step}")
    assert all((c.path / "config.json").is_file() for c in checkpoints)  # pruned sources are dropped

    assert resolve_model(run.id, runs_dir) == str(last.path)  # Generate takes the run as a model
    gen = _cli("generate", run.id, "def", "--max-new-tokens", "4", "--device", "cpu", "--runs-dir", str(runs_dir))
    assert "tokens" in gen.stdout + gen.stderr
