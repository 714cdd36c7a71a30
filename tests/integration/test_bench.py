"""`aigc-tui bench --json`: every training case side by side with its reference loop.

The figures themselves are never asserted (benchmarks, not timed tests); the shape is.
"""

from __future__ import annotations

import json

from aigc_tui.cli import main


def test_bench_json_reports_each_case_against_its_reference(capsys):
    assert main(["bench", "--steps", "2", "--rounds", "1", "--device", "cpu", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["device"] == "cpu" and report["cuda"] is None
    names = [c["case"] for c in report["cases"]]
    assert [n.split(" ")[0] for n in names] == ["gan-mlp", "dcgan", "lm-gpt"]
    for case in report["cases"]:
        assert case["aigc_tui"] > 0 and case["reference"] > 0, case
        assert abs(case["ratio_vs_reference"] - case["aigc_tui"] / case["reference"]) < 1e-9  # one round: one pair
        assert case["reference_name"].startswith("benchmarks/")
    (model,) = report["models"]
    assert model["ratio_vs_nanogpt"] > 0 and "nanoGPT" in model["case"]


def test_bench_table_prints_both_figures_and_the_ratio(capsys):
    assert main(["bench", "--steps", "1", "--rounds", "1", "--device", "cpu", "--skip-model", "--only", "gan-mlp"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("gan-mlp"))
    assert row.count("img/s") == 2 and "x   benchmarks/gan_loop.py" in row
    assert "no CUDA device" in out


def test_bench_names_an_unknown_case_in_one_line(capsys):
    assert main(["bench", "--only", "gan-mlp,nonsense", "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "--only nonsense: no such bench case (cases: gan-mlp, dcgan, lm-gpt)" in err
