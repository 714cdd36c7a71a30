"""An image folder with `data.channels` empty trains at the images' own channel count."""

from __future__ import annotations

import tomllib

from PIL import Image

from aigc_tui.config import validate
from aigc_tui.launch import new_run


def _folder(path, mode):
    path.mkdir()
    for i in range(3):
        Image.new(mode, (8, 8), color=0 if mode == "L" else (i, 0, 0)).save(path / f"{i}.png")
    return path


def _recipe(folder, channels=None):
    data = {"source": f"imagefolder:{folder}", "image_size": 8}
    if channels:
        data["channels"] = channels
    return validate({"kind": "gan", "name": "f", "run": {"steps": 1, "device": "cpu"}, "data": data})


def test_greyscale_folder_gives_one_channel_colour_three_and_a_set_value_wins(tmp_path, runs_dir):
    grey, colour = _folder(tmp_path / "grey", "L"), _folder(tmp_path / "colour", "RGB")
    for folder, channels, want in [(grey, None, 1), (colour, None, 3), (grey, 3, 3)]:
        run = new_run(runs_dir, _recipe(folder, channels))
        assert tomllib.loads(run.config_path.read_text())["data"]["channels"] == want
