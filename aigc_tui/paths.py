"""Where runs, user recipes and user settings live on disk (no heavy imports)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from aigc_tui.errors import ConfigError

APP_NAME = "aigc-tui"


def app_home() -> Path:
    """`$AIGC_TUI_HOME`, else the platformdirs user data dir."""
    env = os.environ.get("AIGC_TUI_HOME")
    return Path(env).expanduser().absolute() if env else Path(platformdirs.user_data_dir(APP_NAME))


def pin_app_home() -> None:
    """Make a relative `$AIGC_TUI_HOME` absolute in the environment, before anything is spawned.

    Workers run with their run directory as cwd and inherit the variable: a relative home put
    each run's tokenizer and token caches inside that run's directory."""
    env = os.environ.get("AIGC_TUI_HOME")
    if env:
        os.environ["AIGC_TUI_HOME"] = str(Path(env).expanduser().absolute())


def runs_root(override: str | os.PathLike[str] | None = None) -> Path:
    """The runs root: an explicit `--runs-dir`, else `<app home>/runs`."""
    root = (Path(override).expanduser() if override else app_home() / "runs").absolute()
    for folder in (root, *root.parents):  # a file where a folder must be: say so, not a traceback
        if folder.exists():
            if not folder.is_dir():
                raise ConfigError(f"runs dir {root}: {folder} is a file, not a folder")
            break
    return root  # absolute: a detached worker's cwd is its run dir, never hand it a relative path


def check_runs_dir(override: str | os.PathLike[str] | None) -> None:
    """A `--runs-dir` whose parent folder is missing is refused: a typo (`~/rusn/x`) made the
    whole tree, and runs went where `aigc-tui runs` never looks. Only its last folder is made.
    An empty one (`--runs-dir "$RUNS"` with $RUNS unset) is refused, not read as the default.
    A mistyped `$AIGC_TUI_HOME` gets the same rule (it made its whole path, tester7 H20)."""
    env = os.environ.get("AIGC_TUI_HOME")
    home = app_home()
    if env and not home.exists() and not home.parent.is_dir():
        missing = next(p for p in reversed(home.parents) if not p.exists())
        raise ConfigError(f"AIGC_TUI_HOME={env}: {missing} does not exist (only the last folder is created)")
    if override is None:
        return
    if not str(override).strip():
        raise ConfigError("--runs-dir is empty (an unset variable?); name a folder, or leave the option out "
                          "for the default runs root")
    root = runs_root(override)
    if not root.exists() and not root.parent.is_dir():
        missing = next(p for p in reversed(root.parents) if not p.exists())
        raise ConfigError(f"--runs-dir {override}: {missing} does not exist (only the last folder is created)")


def datasets_dir() -> Path:
    """`data.root`'s default, where torchvision data sets live: `$AIGC_TUI_HOME/cache/datasets`
    when the home is set (beside the token caches), else `~/.cache/aigc-tui/datasets`."""
    env = os.environ.get("AIGC_TUI_HOME")
    return app_home() / "cache" / "datasets" if env else Path("~/.cache/aigc-tui/datasets").expanduser()


def config_dir() -> Path:
    """User recipes, themes and settings: `$AIGC_TUI_HOME/config` or the platformdirs config dir."""
    env = os.environ.get("AIGC_TUI_HOME")
    return app_home() / "config" if env else Path(platformdirs.user_config_dir(APP_NAME))


SHIPPED_DIR = "_shipped"  # inside the package in a wheel: aigc_tui/_shipped/{sample_configs,themes}


def _shipped(name: str) -> Path:
    """A folder shipped with the program: inside the installed wheel, else the checkout's top level."""
    here = Path(__file__).resolve().parent
    for candidate in (here / SHIPPED_DIR / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    return here.parent / name


def sample_configs_dir() -> Path:
    """The shipped recipes (`sample_configs/` of the checkout; `aigc_tui/_shipped/` in a wheel)."""
    return _shipped("sample_configs")


def themes_dir() -> Path:
    """The shipped themes (`themes/` of the checkout; `aigc_tui/_shipped/` in a wheel)."""
    return _shipped("themes")


def user_recipes_dir() -> Path:
    return config_dir() / "recipes"


def find_recipe(ref: str | os.PathLike[str]) -> Path:
    """A recipe file: a path as given, else a recipe name (`gan_mlp_digits`) among the user's
    own recipes, then the shipped ones. Returns the path as given when nothing matches, so the
    loader names it in its error."""
    path = Path(ref).expanduser()
    if path.exists() or path.parent != Path("."):
        return path
    stem = path.name.removesuffix(".toml")
    for folder in (user_recipes_dir(), sample_configs_dir()):
        candidate = folder / f"{stem}.toml"
        if candidate.is_file():
            return candidate
    return path


def recipe_names() -> list[str]:
    """Every recipe name `find_recipe` knows: the user's, then the shipped ones."""
    names: list[str] = []
    for folder in (user_recipes_dir(), sample_configs_dir()):
        if folder.is_dir():
            names += [p.stem for p in sorted(folder.glob("*.toml")) if p.stem not in names]
    return names
