"""`aigc-tui watch` on a narrow terminal: two metrics never read the same (tester8 I8: at 40 columns
grad_norm_d and grad_norm_g both read `grad_no…`)."""

from __future__ import annotations

import json
import re

import pytest

from aigc_tui.cli import main
from aigc_tui.runs import create_run

METRICS = {"loss_d": 1.2917, "loss_g": 0.8123, "d_real": 0.61, "d_fake": 0.38, "grad_norm_d": 1.25,
           "grad_norm_g": 3.5, "nonfinite": 0, "lr_g": 0.0002, "lr_d": 0.0002, "images_per_s": 3111.2}


def _metric_words(runs_dir, capsys, monkeypatch, columns: int) -> list[str]:
    run = create_run(runs_dir, 'kind = "gan"\nname = "live1"\n[run]\nsteps = 300\n', "live1")
    (run.path / "metrics.jsonl").write_text(json.dumps({"step": 25, "time": 1.0, **METRICS}) + "\n")
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["watch", run.id, "--once", "--runs-dir", str(runs_dir)]) == 0
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
    lines = out.splitlines()
    assert all(len(line.rstrip()) <= columns for line in lines), lines
    return [word for line in lines for word in line.split() if word.rstrip("…")[:1].isalpha()]


@pytest.mark.parametrize("columns", [40, 60, 100])
def test_every_metric_name_is_shown_whole_when_it_fits_the_terminal(runs_dir, capsys, monkeypatch, columns):
    words = _metric_words(runs_dir, capsys, monkeypatch, columns)
    assert set(METRICS) <= set(words), words


def test_a_terminal_narrower_than_a_metric_cuts_its_name_in_the_middle(runs_dir, capsys, monkeypatch):
    words = _metric_words(runs_dir, capsys, monkeypatch, 14)
    cut = [w for w in words if "…" in w and w.startswith("gra")]
    assert len(cut) == 2 and cut[0] != cut[1] and cut[0].endswith("_d") and cut[1].endswith("_g"), words
