"""Saving a user recipe: a safe file name inside the recipes folder, never an overwrite unasked.

Torch- and textual-free: the app's *Save recipe* calls it; the typed name stays in the
recipe's `name` for display while the file gets a slug that cannot leave the folder.
"""

from __future__ import annotations

from pathlib import Path

from aigc_tui.errors import AigcError
from aigc_tui.names import slug
from aigc_tui.runs.atomic import atomic_write_text


class RecipeExists(AigcError):
    """A recipe of that file name is already saved; ask before overwriting it."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"a recipe named {path.name} already exists in {path.parent}")
        self.path = path


def recipe_path(folder: Path, name: str) -> Path:
    """Where a recipe called `name` is saved: always a direct child of `folder`."""
    folder = Path(folder).absolute()
    path = folder / f"{slug(name, 80, 'recipe')}.toml"
    if path.parent != folder:  # pragma: no cover - slug() allows no separators
        raise AigcError(f"recipe name {name!r} does not make a file name inside {folder}")
    return path


def save_recipe(folder: Path, name: str, toml_text: str, overwrite: bool = False) -> Path:
    """Write the recipe atomically; RecipeExists unless `overwrite` (after the user said yes)."""
    path = recipe_path(folder, name)
    if path.is_symlink():
        raise AigcError(f"{path} is a symlink; refusing to write through it")
    if path.exists() and not overwrite:
        raise RecipeExists(path)
    atomic_write_text(path, toml_text)
    return path
