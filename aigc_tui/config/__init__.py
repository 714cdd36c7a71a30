"""Recipes: pydantic models of every config, TOML load/dump; imports neither torch nor textual."""

from aigc_tui.config.common import RunSection
from aigc_tui.config.gan import GanConfig
from aigc_tui.config.io import (
    ConfigError,
    RecipeConfig,
    apply_overrides,
    config_from_toml,
    dump_toml,
    load_recipe,
    validate,
    with_absolute_paths,
)
from aigc_tui.config.lm import LmConfig
from aigc_tui.config.mlm import ClassifyConfig, MlmConfig

__all__ = [
    "ClassifyConfig",
    "MlmConfig",
    "ConfigError",
    "GanConfig",
    "LmConfig",
    "RecipeConfig",
    "RunSection",
    "apply_overrides",
    "config_from_toml",
    "dump_toml",
    "load_recipe",
    "validate",
    "with_absolute_paths",
]
