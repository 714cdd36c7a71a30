"""`resume --set train.*` changes what the optimizer uses, not only config.toml (tester7 H18): the saved
optimizer state brought its old lr/betas back, so a GAN resumed with a new lr_g trained at the old one."""

from __future__ import annotations

from helpers import TINY_GAN, merge, write_recipe

from aigc_tui.cli import main
from aigc_tui.runs import MetricsReader, find_run


def test_a_gan_resumed_with_a_new_lr_trains_at_it_and_says_so(tmp_path, runs_dir, capsys):
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, name="lrs", run={
        "steps": 10, "log_every": 5, "checkpoint_every": 10, "sample_every": 0}, train={"lr_g": 2e-4}))
    assert main(["train", str(recipe), "--runs-dir", str(runs_dir)]) == 0
    run = find_run(runs_dir, "lrs")
    assert main(["resume", run.id, "--set", "train.lr_g=0.001", "--set", "run.steps=15",
                 "--runs-dir", str(runs_dir)]) == 0, capsys.readouterr().err
    reader = MetricsReader(run.path)
    reader.poll()
    lr_g = dict(zip(reader.series["lr_g"].steps, reader.series["lr_g"].values, strict=True))
    assert lr_g[10] == 2e-4 and lr_g[15] == 1e-3, lr_g
    assert "generator optimizer: lr 0.0002 → 0.001 (the config's, not the checkpoint's)" in run.log_path.read_text()
