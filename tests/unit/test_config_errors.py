"""Invalid recipes: one clear line naming the field, exit non-zero, nothing created."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import TINY_GAN, merge, write_recipe

from aigc_tui.cli import main
from aigc_tui.config import (
    ConfigError,
    GanConfig,
    config_from_toml,
    dump_toml,
    load_recipe,
    validate,
)
from aigc_tui.config.environment import check_environment, environment_problems
from aigc_tui.launch import new_run

BAD = [
    (merge(TINY_GAN, train={"lr_gg": 1.0}), "unknown key 'train.lr_gg'"),
    (merge(TINY_GAN, train={"batch_size": "many"}), "train.batch_size = 'many'"),
    (merge(TINY_GAN, train={"lr_g": -1.0}), "train.lr_g = -1.0: Input should be greater than 0"),
    (merge(TINY_GAN, run={"steps": 0}), "run.steps = 0"),
    (merge(TINY_GAN, data={"source": "imagefolder:/no/such/folder"}), "image folder /no/such/folder does not exist"),
    (merge(TINY_GAN, data={"source": "cifar10", "root": "/no/such/root"}), "set data.download = true"),
    (merge(TINY_GAN, model={"arch": "vae"}), "model.arch = 'vae': Input should be 'mlp' or 'dcgan'"),
    (merge(TINY_GAN, run={"device": "gpu0"}), "device must be auto, cpu, mps, cuda or cuda:N"),
    (merge(TINY_GAN, kind="diffusion"), "kind = 'diffusion'"),
    (merge(TINY_GAN, model={"arch": "dcgan"}), "needs data.image_size 32 or 64"),
]


@pytest.mark.parametrize(("recipe", "expected"), BAD, ids=[e for _, e in BAD])
def test_invalid_recipe_is_refused_with_a_clear_error(tmp_path, runs_dir, capsys, recipe, expected):
    path = write_recipe(tmp_path / "bad.toml", recipe)
    rc = main(["train", str(path), "--runs-dir", str(runs_dir)])
    err = capsys.readouterr().err
    assert rc == 2
    assert expected in err
    assert err.startswith("error: ")
    assert not runs_dir.exists() or not any(runs_dir.iterdir())


def test_broken_toml_and_missing_file_are_refused(tmp_path, runs_dir, capsys):
    broken = tmp_path / "broken.toml"
    broken.write_text("kind = 'gan'\n[run\nsteps = 3")
    assert main(["train", str(broken)]) == 2
    assert "is not valid TOML" in capsys.readouterr().err
    assert main(["train", str(tmp_path / "absent.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not runs_dir.exists()


def test_override_reaches_the_field_and_bad_override_is_named(tiny_gan_recipe):
    config = load_recipe(tiny_gan_recipe, ["train.lr_g=0.001", "run.steps=7", 'data.source="builtin:digits"'])
    assert config.train.lr_g == 0.001 and config.run.steps == 7
    with pytest.raises(ConfigError, match="is not key=value"):
        load_recipe(tiny_gan_recipe, ["train.lr_g"])


def test_dumped_config_holds_every_default_and_round_trips():
    config = validate({"kind": "gan"})
    text = dump_toml(config)
    assert "latent_dim = 100" in text and "betas" not in text and "beta1 = 0.5" in text
    assert validate(__import__("tomllib").loads(text)) == config


def test_every_shipped_recipe_validates_and_names_missing_data_at_launch():
    recipes = sorted((Path(__file__).parents[2] / "sample_configs").glob("*.toml"))
    assert len(recipes) >= 4
    for path in recipes:
        config = load_recipe(path)  # the schema never looks at the disk
        for problem in environment_problems(config):  # recipes that need user data say so
            assert any(w in problem for w in ("cifar10", "image folder", "Hugging Face cache")), (path, problem)


def test_a_saved_config_still_loads_after_its_data_moved(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    from PIL import Image

    Image.new("L", (8, 8)).save(folder / "a.png")
    config = validate(merge(TINY_GAN, data={"source": f"imagefolder:{folder}"}))
    check_environment(config)
    (folder / "a.png").unlink()
    folder.rmdir()
    again = config_from_toml(dump_toml(config))  # what sample/resume read from a run
    assert again == config
    with pytest.raises(ConfigError, match=r"^data.source = 'imagefolder:.*': image folder .* does not exist$"):
        check_environment(again)


def test_a_missing_gpu_is_named_at_launch_and_nothing_is_created(tmp_path, runs_dir, capsys):
    config = validate(merge(TINY_GAN, run={"device": "cuda:3"}))
    problems = environment_problems(config, cuda_count=2)
    assert problems == ["run.device: device 'cuda:3' does not exist: this machine has 2 GPU(s) (cuda:0 to cuda:1)"]
    assert "CUDA is not available" in environment_problems(config, cuda_count=0)[0]
    assert environment_problems(config, cuda_count=None) == []  # unknown here: the worker checks
    with pytest.raises(ConfigError):
        new_run(runs_dir, config, cuda_count=1)
    assert not runs_dir.exists() or not any(runs_dir.iterdir())


def test_default_gan_is_the_original_mlp_design():
    config = load_recipe(Path(__file__).parents[2] / "sample_configs" / "gan_mlp_digits.toml")
    assert isinstance(config, GanConfig)
    assert config.model.latent_dim == 100 and config.model.g_hidden == [256, 512, 1024]
    assert config.model.d_hidden == [512, 256] and config.data.image_size == 28
    assert config.data.source == "builtin:digits"


def test_a_recipe_name_finds_the_users_recipe_before_the_shipped_one(isolated_home, tmp_path, capsys):
    from aigc_tui.paths import find_recipe, sample_configs_dir, user_recipes_dir

    assert find_recipe("gan_mlp_digits") == sample_configs_dir() / "gan_mlp_digits.toml"
    mine = user_recipes_dir() / "gan_mlp_digits.toml"
    mine.parent.mkdir(parents=True)
    mine.write_text('kind = "gan"\n')
    assert find_recipe("gan_mlp_digits.toml") == mine
    assert find_recipe("sub/gan_mlp_digits") == Path("sub/gan_mlp_digits")  # a path is never searched
    assert main(["train", "no_such_recipe"]) == 2
    assert "recipes by name: gan_mlp_digits, bert_classify_docstrings, " in capsys.readouterr().err  # yours first
