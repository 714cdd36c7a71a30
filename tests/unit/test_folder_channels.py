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


def test_the_shipped_folder_recipe_takes_the_folders_channels(tmp_path, runs_dir):
    """gan_dcgan_imagefolder pinned channels = 3, so a greyscale folder trained as colour."""
    from aigc_tui.config import load_recipe
    from aigc_tui.paths import sample_configs_dir

    grey = _folder(tmp_path / "grey", "L")
    config = load_recipe(sample_configs_dir() / "gan_dcgan_imagefolder.toml",
                         [f'data.source="imagefolder:{grey}"', "run.device=\"cpu\""])
    run = new_run(runs_dir, config)
    assert tomllib.loads(run.config_path.read_text())["data"]["channels"] == 1
