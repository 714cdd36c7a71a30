"""Where runs, user recipes and user settings live on disk (no heavy imports)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "aigc-tui"


def app_home() -> Path:
    """`$AIGC_TUI_HOME`, else the platformdirs user data dir."""
    env = os.environ.get("AIGC_TUI_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir(APP_NAME))


def runs_root(override: str | os.PathLike[str] | None = None) -> Path:
    """The runs root: an explicit `--runs-dir`, else `<app home>/runs`."""
    return Path(override).expanduser() if override else app_home() / "runs"


def config_dir() -> Path:
    """User recipes, themes and settings: `$AIGC_TUI_HOME/config` or the platformdirs config dir."""
    env = os.environ.get("AIGC_TUI_HOME")
    return Path(env).expanduser() / "config" if env else Path(platformdirs.user_config_dir(APP_NAME))


def sample_configs_dir() -> Path:
    """The shipped recipes (`sample_configs/` beside the package, or inside it when installed)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "sample_configs", here / "sample_configs"):
        if candidate.is_dir():
            return candidate
    return here.parent / "sample_configs"


def themes_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "themes", here / "themes"):
        if candidate.is_dir():
            return candidate
    return here.parent / "themes"
