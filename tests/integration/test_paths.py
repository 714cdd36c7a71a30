"""Relative paths typed by the user still work once the worker is detached; recipes save safely."""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib

import pytest
from helpers import TINY_GAN, cli_env, merge, write_recipe
from PIL import Image

from aigc_tui.runs import RunState, list_runs
from aigc_tui.user_recipes import RecipeExists, recipe_path, save_recipe


def _wait_for(predicate, timeout: float = 180.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_relative_runs_dir_and_data_path_with_detach_train(tmp_path):
    work = tmp_path / "work"
    (work / "imgs").mkdir(parents=True)
    for i in range(12):
        Image.new("RGB", (10, 10), (i * 20, 40, 90)).save(work / "imgs" / f"{i}.png")
    write_recipe(work / "r.toml", merge(TINY_GAN, run={"steps": 4, "checkpoint_every": 0, "sample_every": 0},
                                        data={"source": "imagefolder:imgs"}, train={"batch_size": 4}))
    proc = subprocess.run([sys.executable, "-m", "aigc_tui", "train", "r.toml", "--detach", "--runs-dir", "relruns"],
                          cwd=work, capture_output=True, text=True, env=cli_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    (run,) = list_runs(work / "relruns")
    assert str(run.path) in proc.stdout and run.path.is_absolute()
    config = tomllib.loads(run.config_path.read_text())
    assert config["data"]["source"] == f"imagefolder:{work / 'imgs'}"  # stored absolute
    _wait_for(lambda: not run.status().state.is_live, what="the run to end")
    assert run.status().state is RunState.FINISHED, run.status().error


def test_recipe_names_never_leave_the_recipes_folder(tmp_path):
    folder = tmp_path / "recipes"
    for name in ("../../../x", "/tmp/x", "..", ".", "", "a/b\\c", "\x1b[31mred", "x" * 500):
        path = recipe_path(folder, name)
        assert path.parent == folder and path.suffix == ".toml" and not path.name.startswith("."), name
    saved = save_recipe(folder, "../../../x", 'kind = "gan"\n')
    assert saved.parent == folder and not (tmp_path / "x.toml").exists()


def test_saving_over_an_existing_recipe_asks_first(tmp_path):
    folder = tmp_path / "recipes"
    save_recipe(folder, "mine", "a = 1\n")
    with pytest.raises(RecipeExists):
        save_recipe(folder, "mine", "a = 2\n")
    assert (folder / "mine.toml").read_text() == "a = 1\n"
    save_recipe(folder, "mine", "a = 2\n", overwrite=True)
    assert (folder / "mine.toml").read_text() == "a = 2\n"


def test_train_on_a_full_disk_is_one_line_and_leaves_no_run(tmp_path, tiny_gan_recipe):
    import resource

    def small_files() -> None:  # writes past 64 bytes fail as on a full disk (EFBIG, like ENOSPC)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))

    runs = tmp_path / "full"
    proc = subprocess.run([sys.executable, "-m", "aigc_tui", "train", str(tiny_gan_recipe), "--runs-dir", str(runs)],
                          capture_output=True, text=True, env=cli_env(), timeout=120, preexec_fn=small_files)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: File too large"), lines
    assert list(runs.iterdir()) == []


def test_a_relative_app_home_reaches_workers_and_scripts_absolute(tmp_path):
    """Workers run with the run dir as cwd: a relative AIGC_TUI_HOME put each run's caches in it."""
    work = tmp_path / "work"
    work.mkdir()
    env = {**cli_env(), "AIGC_TUI_HOME": "relhome"}
    script = "import os; print('home=' + os.environ['AIGC_TUI_HOME'])"
    proc = subprocess.run([sys.executable, "-m", "aigc_tui", "run", "--name", "where", "--", sys.executable, "-c",
                           script], cwd=work, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    (run,) = list_runs(work / "relhome" / "runs")
    _wait_for(lambda: not run.status().state.is_live, what="the script to end")
    assert f"home={work / 'relhome'}" in run.log_path.read_text()


def test_a_refused_resume_set_changes_nothing(tmp_path):
    """`resume --set run.steps=N` refused (here: the data moved) had already rewritten config.toml and
    the status total, so the finished run read unfinished and a later resume trained to the refused N."""
    imgs = tmp_path / "imgs"
    imgs.mkdir()
    for i in range(12):
        Image.new("RGB", (10, 10), (i * 20, 40, 90)).save(imgs / f"{i}.png")
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, run={"steps": 4, "checkpoint_every": 2,
                                                                       "sample_every": 0},
                                                     data={"source": f"imagefolder:{imgs}"}, train={"batch_size": 4}))
    runs = tmp_path / "runs"
    cli = [sys.executable, "-m", "aigc_tui"]
    assert subprocess.run([*cli, "train", str(recipe), "--runs-dir", str(runs)], capture_output=True,
                          env=cli_env(), timeout=180).returncode == 0
    (run,) = list_runs(runs)
    config_before, total_before = run.config_path.read_text(), run.status().total_steps
    imgs.rename(tmp_path / "moved")
    proc = subprocess.run([*cli, "resume", run.id, "--set", "run.steps=8", "--runs-dir", str(runs)],
                          capture_output=True, text=True, env=cli_env(), timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("error:"), proc.stderr
    assert run.config_path.read_text() == config_before
    assert run.status().total_steps == total_before == 4 and run.status().state is RunState.FINISHED


def test_a_mistyped_app_home_is_refused_like_a_mistyped_runs_dir(tmp_path, monkeypatch, capsys):
    """tester7 H20: AIGC_TUI_HOME=/tmp/nohome/deep/x made nohome/, deep/ and x/ and trained there."""
    from aigc_tui.cli import main

    monkeypatch.setenv("AIGC_TUI_HOME", str(tmp_path / "nohome" / "deep" / "x"))
    assert main(["runs"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: AIGC_TUI_HOME={tmp_path / 'nohome' / 'deep' / 'x'}: {tmp_path / 'nohome'} does not exist "
                   "(only the last folder is created)"], err
    assert not (tmp_path / "nohome").exists()
    monkeypatch.setenv("AIGC_TUI_HOME", str(tmp_path / "newhome"))  # only its last folder missing: fine
    assert main(["runs"]) == 0
