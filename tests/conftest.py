"""Shared fixtures: an isolated app home and runs root, tiny recipes that train in seconds on CPU."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import TINY_GAN, kill_detached_workers, write_recipe


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own AIGC_TUI_HOME: nothing reads or writes the user's real runs."""
    home = tmp_path / "home"
    home.mkdir()  # as a user's home is: `--runs-dir HOME/runs` may create only its last folder (G12)
    monkeypatch.setenv("AIGC_TUI_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    return home


@pytest.fixture(autouse=True)
def reap_detached_workers(tmp_path: Path) -> Iterator[None]:
    """At teardown, kill every detached worker a run under this test's tmp_path records, so a
    failing test never leaves a long run (or a supervised script) training in the background."""
    yield
    kill_detached_workers(tmp_path)


@pytest.fixture
def runs_dir(isolated_home: Path) -> Path:
    return isolated_home / "runs"


@pytest.fixture
def tiny_gan_recipe(tmp_path: Path) -> Path:
    return write_recipe(tmp_path / "tiny_gan.toml", TINY_GAN)
