"""The wheel: built from the project files, installed (not editable) into a fresh venv, it
carries the shipped recipes and themes and trains a shipped recipe by name."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import REPO

pytestmark = pytest.mark.slow

PROJECT_FILES = ("pyproject.toml", "setup.py", "README.md", "aigc_tui", "sample_configs", "themes")


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{args} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the project files, so the checkout gets no build/ or egg-info."""
    src = tmp_path_factory.mktemp("src")
    for name in PROJECT_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(REPO / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", dist, src, cwd=src)
    (built,) = dist.glob("aigc_tui-*.whl")
    return built


def test_the_wheel_carries_the_shipped_recipes_and_themes(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {folder: {Path(n).name for n in names if n.startswith(f"aigc_tui/_shipped/{folder}/")}
               for folder in ("sample_configs", "themes")}
    for folder, found in shipped.items():
        assert found == {p.name for p in (REPO / folder).glob("*.toml")}, folder
    assert "aigc_tui/ui/app.tcss" in names


def test_installed_wheel_lists_runs_and_trains_a_shipped_recipe_by_name(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    # The heavy dependencies (torch, textual, ...) come from this interpreter's site-packages,
    # which the venv reads after its own: no network, no downloads, and the wheel's code wins.
    own = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path).strip())
    (own / "zz_test_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=tmp_path)

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(AIGC_TUI_HOME=str(tmp_path / "home"), OMP_NUM_THREADS="1")
    where = _run(python, "-c", "import aigc_tui.paths as p; print(p.__file__); print(p.sample_configs_dir());"
                 " print(p.themes_dir())", cwd=tmp_path, env=env).split()
    assert all(line.startswith(str(venv)) for line in where), where  # the installed wheel, not the checkout

    cli = venv / "bin" / "aigc-tui"
    assert "no runs" in _run(cli, "runs", cwd=tmp_path, env=env)
    _run(cli, "train", "gan_mlp_digits", "--device", "cpu", "--set", "run.steps=5", "--set", "run.log_every=5",
         cwd=tmp_path, env=env)
    (run,) = json.loads(_run(cli, "runs", "--json", cwd=tmp_path, env=env))
    assert (run["name"], run["state"], run["step"]) == ("mlp-gan-digits", "finished", 5), run
