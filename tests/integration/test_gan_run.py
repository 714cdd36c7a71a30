"""Tiny GAN runs on CPU: a run that finishes, an exact resume, a sample grid from a checkpoint."""

from __future__ import annotations

import math

import pytest
import torch
from helpers import TINY_GAN, merge, stop_after_step
from PIL import Image
from safetensors.torch import load_file

from aigc_tui.cli import main
from aigc_tui.config import dump_toml, validate
from aigc_tui.runs import MetricsReader, RunState, create_run, list_runs
from aigc_tui.train.worker import build_trainer, run_worker


def _new_run(runs_dir, recipe):
    config = validate(recipe)
    return create_run(runs_dir, dump_toml(config), config.name)


def test_tiny_gan_trains_to_the_end_and_leaves_a_complete_run(runs_dir, tiny_gan_recipe, capsys):
    assert main(["train", str(tiny_gan_recipe), "--runs-dir", str(runs_dir)]) == 0
    (run,) = list_runs(runs_dir)
    status = run.status()
    assert status.state is RunState.FINISHED
    assert (status.step, status.total_steps) == (30, 30)
    assert status.device.startswith("cpu") and status.ended_at >= status.started_at

    reader = MetricsReader(run.path)
    assert reader.poll() == 6
    assert reader.series["loss_d"].steps.tolist() == [5, 10, 15, 20, 25, 30]
    for name in ("loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g", "images_per_s", "lr_g"):
        assert all(math.isfinite(v) for v in reader.series[name].values), name
    assert reader.series["images_per_s"].values[-1] > 0
    from aigc_tui.config import GanConfig  # what `run.keep_best` may name, checked at launch

    assert set(reader.series) <= set(GanConfig.logged_metrics), set(reader.series) - set(GanConfig.logged_metrics)

    checkpoints = run.checkpoints()
    assert [c.step for c in checkpoints] == [20, 30]  # keep_last = 2 pruned step 10
    final = checkpoints[-1]
    assert final.resumable and final.metrics["loss_d"] > 0
    tensors = load_file(str(final.path / "model.safetensors"))
    assert any(k.startswith("generator.") for k in tensors) and any(k.startswith("discriminator.") for k in tensors)
    trainer_state = torch.load(final.path / "trainer_state.pt", weights_only=True)
    assert trainer_state["step"] == 30

    grid = Image.open(run.path / "samples" / "step-00000030.png")
    # 16 images of 8 px, upscaled x4 to 32 px cells, 4x4 with 2 px padding: 4*32 + 5*2
    assert grid.size == (138, 138)
    assert [p.name for p in run.samples()] == ["step-00000010.png", "step-00000020.png", "step-00000030.png"]
    assert "run ended finished at step 30" in run.log_path.read_text()
    assert "step 30/30 loss_d" in capsys.readouterr().out


def test_sample_command_writes_a_grid_of_the_asked_size(runs_dir, tiny_gan_recipe, tmp_path, capsys):
    assert main(["train", str(tiny_gan_recipe), "--runs-dir", str(runs_dir)]) == 0
    out = tmp_path / "grid.png"
    assert main(["sample", "tiny-gan", "-n", "9", "--seed", "4", "-o", str(out), "--runs-dir", str(runs_dir)]) == 0
    image = Image.open(out)
    assert image.size == (3 * 32 + 4 * 2,) * 2
    again = tmp_path / "again.png"
    main(["sample", "tiny-gan", "-n", "9", "--seed", "4", "-o", str(again), "--runs-dir", str(runs_dir)])
    assert out.read_bytes() == again.read_bytes()  # same seed, same grid
    assert main(["sample", "tiny-gan", "-n", "0", "--runs-dir", str(runs_dir)]) == 2
    assert main(["sample", "no-such-run", "--runs-dir", str(runs_dir)]) == 2
    assert "no run 'no-such-run'" in capsys.readouterr().err


@pytest.mark.parametrize("loss", ["hinge", "wgan-gp"])
def test_other_losses_train_finite(runs_dir, loss):
    recipe = merge(TINY_GAN, run={"steps": 6, "checkpoint_every": 0, "sample_every": 0},
                   train={"loss": loss, "n_critic": 2})
    run = _new_run(runs_dir, recipe)
    assert run_worker(run) is RunState.FINISHED
    reader = MetricsReader(run.path)
    reader.poll()
    assert all(math.isfinite(v) for v in reader.series["loss_d"].values)


def test_dcgan_trains_at_32_px(runs_dir):
    recipe = merge(TINY_GAN, run={"steps": 4, "checkpoint_every": 0, "sample_every": 0},
                   data={"image_size": 32}, model={"arch": "dcgan", "g_features": 8, "d_features": 8})
    run = _new_run(runs_dir, recipe)
    assert run_worker(run) is RunState.FINISHED
    assert Image.open(run.path / "samples" / "step-00000004.png").size == (4 * 32 + 5 * 2,) * 2


def test_image_folder_data(runs_dir, tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(20):
        Image.new("RGB", (12, 10), (i * 10, 50, 200 - i * 5)).save(folder / f"{i}.png")
    (folder / "notes.txt").write_text("not an image")
    recipe = merge(TINY_GAN, run={"steps": 3, "checkpoint_every": 0, "sample_every": 0},
                   data={"source": f"imagefolder:{folder}"}, train={"batch_size": 8})
    run = _new_run(runs_dir, recipe)
    assert run_worker(run) is RunState.FINISHED
    assert "20 images of (3, 8, 8)" in run.log_path.read_text()


def test_a_run_whose_data_moved_still_samples_but_refuses_to_resume(runs_dir, tmp_path, capsys):
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(8):
        Image.new("RGB", (8, 8), (i * 30, 50, 100)).save(folder / f"{i}.png")
    recipe = merge(TINY_GAN, run={"steps": 4, "checkpoint_every": 0, "sample_every": 0},
                   data={"source": f"imagefolder:{folder}"}, train={"batch_size": 4, "sample_count": 4})
    run = _new_run(runs_dir, recipe)
    trainer = build_trainer(run, lambda _msg: None)
    stop_after_step(trainer, 2)
    assert trainer.run() is RunState.STOPPED
    for image in folder.iterdir():
        image.unlink()
    folder.rmdir()
    capsys.readouterr()
    out = tmp_path / "grid.png"
    assert main(["sample", run.id, "-n", "4", "-o", str(out), "--runs-dir", str(runs_dir)]) == 0
    assert out.is_file()  # the checkpoint's own config.toml loads although its data is gone
    assert main(["resume", run.id, "--runs-dir", str(runs_dir)]) == 2
    assert f"data.source = 'imagefolder:{folder}': image folder {folder} does not exist" in capsys.readouterr().err
    assert run.status().state is RunState.STOPPED  # refused before anything started


def test_a_failing_run_ends_failed_with_the_reason(runs_dir, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    run = _new_run(runs_dir, merge(TINY_GAN, data={"source": f"imagefolder:{folder}"}))
    assert run_worker(run) is RunState.FAILED
    status = run.status()
    assert status.state is RunState.FAILED
    assert "holds no images" in status.error
    assert status.traceback is None  # an expected failure: its one line says it all


def test_watch_prints_progress_and_ends_with_the_run(runs_dir, tiny_gan_recipe, capsys):
    assert main(["train", str(tiny_gan_recipe), "--runs-dir", str(runs_dir)]) == 0
    capsys.readouterr()
    assert main(["watch", "tiny-gan", "--once", "--runs-dir", str(runs_dir)]) == 0
    frame = capsys.readouterr().out
    assert "tiny-gan" in frame and "finished" in frame and "step 30/30" in frame
    assert "loss_d" in frame and "loss_g" in frame
    assert main(["watch", "tiny-gan", "--runs-dir", str(runs_dir)]) == 0  # a finished run: returns at once
    assert "ended finished at step 30" in capsys.readouterr().out


def test_a_keep_best_metric_the_run_never_logs_is_named_once_in_the_log(runs_dir):
    config = validate(merge(TINY_GAN, run={"keep_best": "val_acuracy"}))  # a typo
    run = create_run(runs_dir, dump_toml(config), config.name)
    assert run_worker(run) is RunState.FINISHED
    warnings = [line for line in run.log_path.read_text().splitlines() if "run.keep_best" in line]
    assert len(warnings) == 1 and "'val_acuracy' is not a metric this run logs (" in warnings[0]
    assert "loss_d" in warnings[0] and "newest 2 checkpoints" in warnings[0]


def test_a_keep_best_metric_the_run_logs_says_nothing(runs_dir):
    config = validate(merge(TINY_GAN, run={"keep_best": "loss_g"}))
    run = create_run(runs_dir, dump_toml(config), config.name)
    assert run_worker(run) is RunState.FINISHED
    assert "run.keep_best" not in run.log_path.read_text()
