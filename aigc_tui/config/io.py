"""Load, override, validate and dump recipes; turn validation errors into one clear line each."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from aigc_tui.config.gan import GanConfig
from aigc_tui.config.lm import LmConfig
from aigc_tui.config.mlm import ClassifyConfig, MlmConfig
from aigc_tui.config.user_paths import absolutize
from aigc_tui.errors import ConfigError

RecipeConfig = GanConfig | LmConfig | MlmConfig | ClassifyConfig
KINDS: dict[str, type[RecipeConfig]] = {"gan": GanConfig, "lm": LmConfig, "mlm": MlmConfig, "classify": ClassifyConfig}



def parse_override(text: str) -> tuple[list[str], Any]:
    """`train.lr_g=1e-3` -> (["train", "lr_g"], 0.001); values parse as TOML, else as strings."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"override '{text}' is not key=value (e.g. --set train.lr_g=1e-3)")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key.split("."), value


def once_each(overrides: list[str]) -> list[str]:
    """The --set values of train, resume and fork, refused when a key comes twice (the last one
    silently won; `sweep` takes a key once too)."""
    seen: dict[str, str] = {}
    for text in overrides:
        key = text.partition("=")[0].strip()
        if key in seen:
            raise ConfigError(f"{key} is given twice (--set {seen[key]} and --set {text}); give it once")
        seen[key] = text
    return overrides


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    for text in overrides:
        path, value = parse_override(text)
        node = data
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"override '{text}': '{part}' is not a section")
            node = child
        node[path[-1]] = value
    return data


def _allowed_keys(model: type[BaseModel], path: tuple[Any, ...]) -> list[str]:
    """The keys a section accepts, to suggest beside an unknown one."""
    for part in path:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _describe(error: dict[str, Any], model: type[BaseModel]) -> str:
    loc = ".".join(str(p) for p in error.get("loc", ()))
    msg = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(model, tuple(error["loc"][:-1])))
        return f"unknown key '{loc}'; allowed here: {allowed}"
    if error.get("type") == "missing":
        return f"'{loc}' is required"
    if not loc or msg.startswith(f"{loc}.") or msg.startswith(f"{loc} "):
        return msg
    value = error.get("input")
    if isinstance(value, dict):
        return f"{loc}: {msg}"
    return f"{loc} = {value!r}: {msg}"


def validate(data: dict[str, Any]) -> RecipeConfig:
    """Validate a recipe dict; raise ConfigError listing each problem on its own line."""
    kind = data.get("kind")
    if kind not in KINDS:
        allowed = " or ".join(f'"{k}"' for k in KINDS)
        raise ConfigError(f"kind = {kind!r}: set kind to {allowed}" if kind else f"'kind' is missing: set kind = {allowed}")
    try:
        return KINDS[kind].model_validate(data)
    except ValidationError as exc:
        lines = [_describe(e, KINDS[kind]) for e in exc.errors()]
        raise ConfigError("\n".join(lines)) from None


def load_recipe(path: Path, overrides: list[str] | None = None) -> RecipeConfig:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"recipe {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"recipe {path} is a directory, not a TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not a text file") from None
    data.setdefault("name", path.stem)
    return validate(absolutize(apply_overrides(data, overrides or [])))


def with_absolute_paths(config: RecipeConfig) -> RecipeConfig:
    """The config with every user path made absolute against the cwd (see `user_paths`)."""
    return validate(absolutize(config.model_dump(mode="json", exclude_none=True)))


def dump_toml(config: RecipeConfig) -> str:
    """Every default filled in, so a run directory alone reproduces the run."""
    return tomli_w.dumps(config.model_dump(mode="json", exclude_none=True))


def config_from_toml(text: str) -> RecipeConfig:
    return validate(tomllib.loads(text))
