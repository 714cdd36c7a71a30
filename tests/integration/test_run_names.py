"""A run name as typed reaches config.toml and the run, whatever its characters."""

from __future__ import annotations

import tomllib

from aigc_tui.cli import main
from aigc_tui.runs import list_runs


def test_train_keeps_a_name_with_an_emoji_as_typed(tiny_gan_recipe, runs_dir):
    """`--name "ünï cødé 🚀"` was stored as the JSON escape text, quotes and all: json.dumps wrote
    🚀 as a surrogate pair, which TOML refuses, so the override fell back to the raw text."""
    name = "ünï cødé 🚀"
    assert main(["train", str(tiny_gan_recipe), "--name", name, "--set", "run.steps=1",
                 "--runs-dir", str(runs_dir)]) == 0
    (run,) = list_runs(runs_dir)
    assert tomllib.loads(run.config_path.read_text())["name"] == name and run.name == name
    assert "u00fc" not in run.id and "ud83d" not in run.id
