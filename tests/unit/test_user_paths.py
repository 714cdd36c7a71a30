"""Paths typed relative to the user's cwd are stored absolute, so a detached worker finds them."""

from __future__ import annotations

from aigc_tui.config.user_paths import absolutize


def test_a_classifiers_labelled_source_and_dev_set_are_made_absolute(tmp_path):
    """`labelled:mood.csv` was stored relative: every detached start looked in the run dir and failed."""
    raw = {"kind": "classify", "data": {"source": "labelled:mood.csv", "dev": "labelled:sets/dev.jsonl"}}
    out = absolutize(raw, tmp_path)
    assert out["data"]["source"] == f"labelled:{tmp_path / 'mood.csv'}"
    assert out["data"]["dev"] == f"labelled:{tmp_path / 'sets' / 'dev.jsonl'}"
    assert raw["data"]["source"] == "labelled:mood.csv"  # the caller's dict is not changed


def test_builtin_sources_and_empty_values_are_left_alone(tmp_path):
    raw = {"kind": "classify", "data": {"source": "builtin:stdlib-docstrings", "dev": ""}}
    assert absolutize(raw, tmp_path)["data"] == raw["data"]
    already = {"data": {"source": "labelled:/data/mood.csv"}}
    assert absolutize(already, tmp_path)["data"]["source"] == "labelled:/data/mood.csv"


def test_torchvision_data_root_follows_the_app_home(tmp_path, monkeypatch, capsys):
    """With AIGC_TUI_HOME set, `data.root` still pointed at ~/.cache/aigc-tui/datasets."""
    from aigc_tui.cli import main
    from aigc_tui.config import load_recipe
    from aigc_tui.paths import sample_configs_dir

    home = tmp_path / "elsewhere"
    monkeypatch.setenv("AIGC_TUI_HOME", str(home))
    cifar = load_recipe(sample_configs_dir() / "gan_dcgan_cifar10.toml")
    assert cifar.data.root == str(home / "cache" / "datasets")
    assert main(["train", "gan_mlp_digits", "--set", 'data.source="mnist"']) == 2
    assert f"mnist is not in {home / 'cache' / 'datasets'}" in capsys.readouterr().err
    monkeypatch.chdir(tmp_path)  # a root typed relative is still made absolute against the cwd
    typed = load_recipe(sample_configs_dir() / "gan_dcgan_cifar10.toml", ['data.root="sets"'])
    assert typed.data.root == str(tmp_path / "sets")
    monkeypatch.delenv("AIGC_TUI_HOME")
    assert load_recipe(sample_configs_dir() / "gan_dcgan_cifar10.toml").data.root.endswith("/.cache/aigc-tui/datasets")
