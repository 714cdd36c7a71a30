"""`aigc-tui generate --num-samples N --stop TEXT`: each sample ends at its own stop string, and
the next sample still comes (the app's Generate pane does the same through the helper)."""

from __future__ import annotations

import re

from lm_fixtures import make_tiny_model

from aigc_tui.cli import main


def test_each_sample_is_cut_at_its_own_stop_and_every_sample_comes(tmp_path, capsys):
    model = make_tiny_model(tmp_path / "tiny-lm")
    # a space and a comma: this seed's samples reach one after a few tokens each
    assert main(["generate", str(model), "The ", "--num-samples", "4", "--stop", r"\x20", "--stop", ",",
                 "--max-new-tokens", "40", "--seed", "3", "--device", "cpu"]) == 0
    captured = capsys.readouterr()
    samples = re.split(r"\n--- sample \d ---\n", captured.out)[1:]
    assert len(samples) == 4, captured.out
    for text in samples:
        assert text.startswith("The ") and not {" ", ","} & set(text[len("The "):]), text
    cuts = [line for line in captured.err.splitlines() if "cut at stop string" in line]
    assert len(cuts) >= 2, captured.err  # several samples ended at a stop, and yet all four came


def test_an_empty_stop_string_is_refused_in_one_line(tmp_path, capsys):
    assert main(["generate", str(tmp_path / "no-model"), "x", "--stop", ""]) == 2
    assert "stop" in capsys.readouterr().err
