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


def test_bench_only_runs_the_named_case_under_a_header_aligned_with_its_columns(capsys):
    assert main(["bench", "--steps", "1", "--rounds", "1", "--device", "cpu", "--only", "gan-mlp"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("case"))
    row = next(line for line in lines if line.startswith("gan-mlp"))
    assert row.count("img/s") == 2 and "x   benchmarks/gan_loop.py" in row
    assert "no CUDA device" in out
    assert not any("nanoGPT" in line for line in lines), out  # the model comparison was not asked for
    # each heading ends where its column ends: "aigc-tui" over "... img/s", "ratio" over "1.23x"
    assert header.index("aigc-tui") + len("aigc-tui") == row.index("img/s") + len("img/s")
    assert header.index("reference") + len("reference") == row.index("img/s", row.index("img/s") + 1) + len("img/s")
    assert header.index("ratio") + len("ratio") == row.index("x   benchmarks") + 1


def test_bench_refuses_zero_processes_in_one_line(capsys):
    assert main(["bench", "--nproc", "0", "--device", "cpu"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --nproc 0: give at least 1 process") and "\n" not in err


def test_bench_names_an_unknown_case_in_one_line(capsys):
    assert main(["bench", "--only", "gan-mlp,nonsense", "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "--only nonsense: no such bench case (cases: gan-mlp, dcgan, lm-gpt, model)" in err
