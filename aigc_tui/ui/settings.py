"""Small user settings (theme, smoothing) and themes, kept in the user's config dir."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from textual.color import Color
from textual.theme import Theme

from aigc_tui.paths import config_dir, themes_dir
from aigc_tui.runs.atomic import atomic_write_json

COLOUR_KEYS = ("primary", "secondary", "warning", "error", "success", "accent", "foreground", "background",
               "surface", "panel", "boost")
THEME_KEYS = {"name", "primary", "secondary", "warning", "error", "success", "accent", "foreground",
              "background", "surface", "panel", "boost", "dark", "luminosity_spread", "text_alpha", "variables"}


@dataclass
class Settings:
    theme: str = "aigc-dark"
    smoothing: float = 0.6
    plot_metrics: dict[str, list[str]] = field(default_factory=dict)  # run kind -> the metrics picked

    @classmethod
    def load(cls) -> Settings:
        try:
            data = json.loads((config_dir() / "settings.json").read_text())
            settings = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        except (OSError, ValueError, TypeError, AttributeError):
            return cls()
        picked = settings.plot_metrics
        if not isinstance(picked, dict):
            picked = {}
        settings.plot_metrics = {str(k): [str(n) for n in v] for k, v in picked.items() if isinstance(v, list)}
        return settings

    def save(self) -> None:
        atomic_write_json(config_dir() / "settings.json", asdict(self))


def load_theme_file(path: Path) -> Theme:
    """A theme TOML (Textual Theme fields); raises ValueError naming the problem."""
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"theme {path.name}: {exc}") from None
    unknown = set(data) - THEME_KEYS
    if unknown:
        raise ValueError(f"theme {path.name}: unknown key(s) {', '.join(sorted(unknown))}")
    if "name" not in data or "primary" not in data:
        raise ValueError(f"theme {path.name}: needs at least name and primary")
    for key in COLOUR_KEYS:  # Textual takes any string and the theme then silently never applies
        if key in data:
            try:
                Color.parse(data[key])
            except Exception:
                raise ValueError(f"theme {path.name}: {key} = {data[key]!r} is not a colour "
                                 "(e.g. \"#4FB3FF\" or \"rgb(79,179,255)\")") from None
    try:
        return Theme(**data)
    except Exception as exc:
        raise ValueError(f"theme {path.name}: {exc}") from None


def load_themes() -> tuple[list[Theme], list[str]]:
    """Shipped themes, then the user's (config dir `themes/`); returns (themes, problems).
    A user theme with a shipped theme's name is skipped: it replaced that theme unannounced."""
    themes: list[Theme] = []
    problems: list[str] = []
    for folder in (themes_dir(), config_dir() / "themes"):
        shipped = {t.name for t in themes}
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            try:
                theme = load_theme_file(path)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            if theme.name in shipped:
                problems.append(f"theme {path.name}: name {theme.name!r} is a shipped theme's; give yours another name")
            else:
                themes.append(theme)
    return themes, problems
