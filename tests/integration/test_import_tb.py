"""`aigc-tui import-tb`: event files written by torch.utils.tensorboard become runs with the same scalars."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("tensorboard", reason="the aigc-tui[tensorboard] extra is not installed")

from aigc_tui.cli import main  # noqa: E402
from aigc_tui.runs import MetricsReader, RunState, list_runs  # noqa: E402


def _write_events(logdir, steps=range(0, 50, 5)):
    import numpy as np
    from torch.utils.tensorboard import SummaryWriter

    written = {}
    with SummaryWriter(str(logdir)) as writer:
        for step in steps:
            loss = 1.0 / (step + 1)
            writer.add_scalar("train/loss", loss, step)
            writer.add_scalar("lr", 0.1 * 0.9 ** step, step)
            written[step] = {"train/loss": loss, "lr": 0.1 * 0.9 ** step}
            if step % 20 == 0:
                writer.add_image("samples", np.full((3, 8, 8), step / 50, dtype=np.float32), step)
        writer.add_scalar("eval/loss", float("nan"), 45)
    return written


def test_import_tb_yields_the_same_scalars_and_images(tmp_path, runs_dir, capsys):
    written_a = _write_events(tmp_path / "logs" / "exp-a")
    _write_events(tmp_path / "logs" / "exp-b", steps=range(3))
    assert main(["import-tb", str(tmp_path / "logs"), "--runs-dir", str(runs_dir)]) == 0
    runs = {r.name: r for r in list_runs(runs_dir)}
    assert set(runs) == {"logs/exp-a", "logs/exp-b"}
    run = runs["logs/exp-a"]
    assert run.kind == "script" and run.status().state is RunState.FINISHED and run.status().step == 45
    reader = MetricsReader(run.path)
    reader.poll()
    assert reader.series["train/loss"].steps.tolist() == sorted(written_a)
    for key in ("train/loss", "lr"):
        expected = [written_a[s][key] for s in sorted(written_a)]
        assert reader.series[key].values == pytest.approx(expected, rel=1e-6)  # float32 in the event file
    assert math.isnan(reader.series["eval/loss"].values[-1])
    assert [p.name for p in run.samples()] == ["step-00000000-samples.png", "step-00000020-samples.png",
                                                "step-00000040-samples.png"]


def test_import_tb_twice_updates_the_run_instead_of_duplicating_it(tmp_path, runs_dir, capsys):
    logs = tmp_path / "logs"
    first = _write_events(logs / "exp", steps=range(0, 30, 5))
    assert main(["import-tb", str(logs), "--runs-dir", str(runs_dir)]) == 0
    (run,) = list_runs(runs_dir)
    capsys.readouterr()
    assert main(["import-tb", str(logs), "--runs-dir", str(runs_dir)]) == 0  # nothing new
    assert f"was imported before: updating {run.id}" in capsys.readouterr().out
    later = _write_events(logs / "exp", steps=range(50, 70, 5))  # the training went on
    assert main(["import-tb", str(logs), "--runs-dir", str(runs_dir)]) == 0
    assert [r.id for r in list_runs(runs_dir)] == [run.id]  # still one run of this data
    reader = MetricsReader(run.path)
    reader.poll()
    assert reader.series["train/loss"].steps.tolist() == sorted(first) + sorted(later)  # each step once
    assert run.status().state is RunState.FINISHED and run.status().step == 65
    assert len(run.samples()) == 3  # steps 0, 20 and 60, each written once


def test_import_tb_refuses_an_empty_logdir(tmp_path, runs_dir, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["import-tb", str(tmp_path / "empty"), "--runs-dir", str(runs_dir)]) == 2
    assert "no TensorBoard event files" in capsys.readouterr().err
    assert list_runs(runs_dir) == []


@pytest.mark.parametrize("ending", ["SIGINT", "SIGTERM", "SIGHUP", "SIGTERM after a SIGHUP under nohup"])
def test_import_tb_follows_a_live_logdir(tmp_path, runs_dir, ending):
    """Ctrl-C, `kill PID` and a closed terminal all end a follow the same way: the held-back step
    written, the run `finished` (SIGTERM used to leave it `running`, then `lost`: tester6 F17d).
    Under nohup (SIGHUP ignored) a closed terminal does not end it."""
    import signal
    import subprocess
    import sys
    import time

    from helpers import cli_env
    from torch.utils.tensorboard import SummaryWriter

    def wait_for(predicate, what):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}")

    def steps():
        runs = list_runs(runs_dir)
        if not runs:
            return []
        reader = MetricsReader(runs[0].path)
        reader.poll()
        return reader.series["loss"].steps.tolist() if "loss" in reader.series else []

    writer = SummaryWriter(str(tmp_path / "live"))
    for step in range(3):
        writer.add_scalar("loss", 1.0 / (step + 1), step)
    writer.flush()
    # Ctrl-C as at a terminal: a suite started in the background (`pytest &`) has SIGINT ignored,
    # which a child inherits, and then no SIGINT ever reaches it (the test hung 60 s that way).
    nohup = ending.endswith("nohup")

    def child_signals():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_IGN if nohup else signal.SIG_DFL)

    proc = subprocess.Popen([sys.executable, "-m", "aigc_tui", "import-tb", str(tmp_path / "live"), "--follow",
                             "--runs-dir", str(runs_dir)], env=cli_env(), stdout=subprocess.PIPE, text=True,
                            preexec_fn=child_signals)
    last = 6 if nohup else 5
    try:
        wait_for(lambda: steps() == [0, 1], "the first steps (the newest held back)")
        assert list_runs(runs_dir)[0].status().state is RunState.RUNNING
        for step in range(3, 6):
            writer.add_scalar("loss", 1.0 / (step + 1), step)
        writer.flush()
        wait_for(lambda: steps() == [0, 1, 2, 3, 4], "the new steps")
        if nohup:
            proc.send_signal(signal.SIGHUP)
            writer.add_scalar("loss", 1.0 / 7, 6)
            writer.flush()
            wait_for(lambda: steps() == [0, 1, 2, 3, 4, 5], "step 5, imported after the SIGHUP")
    finally:
        proc.send_signal(getattr(signal, ending.split()[0]))
        assert proc.wait(timeout=60) == 0
        writer.close()
    assert steps() == list(range(last + 1))  # the held-back step is written on the way out
    assert list_runs(runs_dir)[0].status().state is RunState.FINISHED
