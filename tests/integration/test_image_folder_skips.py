"""An image folder's unreadable files are skipped, and the data line says which and why (tester7 H9)."""

from __future__ import annotations

import io

import numpy as np
from helpers import TINY_GAN, merge, write_recipe

from aigc_tui.cli import main
from aigc_tui.runs import RunState, list_runs


def test_a_truncated_image_among_good_ones_is_named_in_the_data_line(tmp_path, runs_dir, capsys):
    from PIL import Image

    folder = tmp_path / "imgs"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray((rng.random((16, 16, 3)) * 255).astype("uint8")).save(folder / f"ok{i}.png")
    png = io.BytesIO()
    Image.fromarray((rng.random((64, 64, 3)) * 255).astype("uint8")).save(png, "PNG")
    (folder / "trunc.png").write_bytes(png.getvalue()[:200])  # a copy cut short
    recipe = write_recipe(tmp_path / "r.toml", merge(
        TINY_GAN, data={"source": f"imagefolder:{folder}", "limit": 0},
        run={"steps": 1, "checkpoint_every": 0, "sample_every": 0, "log_every": 1}, train={"batch_size": 2}))
    assert main(["train", str(recipe), "--runs-dir", str(runs_dir)]) == 0
    out = capsys.readouterr().out
    line = "3 images of (3, 8, 8) (1 skipped: trunc.png: image file is truncated)"
    assert line in out, out
    (run,) = list_runs(runs_dir)
    assert run.status().state is RunState.FINISHED and line in run.log_path.read_text()
