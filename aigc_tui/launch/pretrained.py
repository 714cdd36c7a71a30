"""Launch-time resolution of `model.pretrained`: a run, a checkpoint, a model directory or a HF id.

The recipe schema stays pure (a saved config always loads); what a reference points at is
decided here, when a run is about to be created: `RUN@step-N`, a run name or id (its newest
checkpoint), a checkpoint directory, a Hugging Face directory, or a hub id in the local
cache. The run then records an absolute checkpoint path in its config.toml and its parent
(run and step) in status.json, so the Runs pane can show the lineage. No torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aigc_tui.config import RecipeConfig
from aigc_tui.config.environment import ADAPTER_CONFIG, pretrained_problem
from aigc_tui.errors import ConfigError, RunNotFound
from aigc_tui.runs.checkpoints import CheckpointInfo, read_checkpoint
from aigc_tui.runs.layout import HF_CONFIG_FILE, is_run_dir
from aigc_tui.runs.store import find_checkpoint

# Which checkpoint kinds each recipe kind can start from.
PARENT_KINDS = {"lm": ("lm",), "classify": ("mlm", "classify"), "mlm": ("mlm",)}


@dataclass
class Resolved:
    config: RecipeConfig
    parent: dict[str, Any] | None = None
    note: str = ""


def parent_record(ckpt: CheckpointInfo, how: str, **extra: Any) -> dict[str, Any]:
    return {"run": ckpt.run_dir.name, "run_dir": str(ckpt.run_dir), "step": ckpt.step,
            "checkpoint": str(ckpt.path), "how": how, **extra}


def _checkpoint_ref(ref: str, runs_root: Path) -> CheckpointInfo | None:
    """The checkpoint `ref` names, or None when it names no run nor checkpoint."""
    path = Path(ref).expanduser()
    if path.is_dir():
        info = read_checkpoint(path.resolve())
        if info is not None:
            return info
        if (path / HF_CONFIG_FILE).is_file() or not is_run_dir(path):
            return None  # a plain model directory (or nothing of ours)
    try:
        return find_checkpoint(runs_root, ref, prefer="latest")
    except RunNotFound as exc:
        if "has no checkpoint" in str(exc) or "ambiguous" in str(exc) or "@" in ref:
            raise ConfigError(f"model.pretrained = {ref!r}: {exc}") from None
        return None


def resolve_pretrained(config: RecipeConfig, runs_root: Path) -> Resolved:
    """Point `model.pretrained` at an absolute checkpoint or model directory; say where it came from."""
    model = getattr(config, "model", None)
    ref = getattr(model, "pretrained", "")
    if not ref:
        return Resolved(config)
    ckpt = _checkpoint_ref(ref, runs_root)
    if ckpt is not None:
        allowed = PARENT_KINDS.get(config.kind, ())
        if ckpt.kind and ckpt.kind not in allowed:
            raise ConfigError(f"model.pretrained = {ref!r} is a {ckpt.kind} checkpoint; a {config.kind} run "
                              f"starts from {' or '.join(allowed)} checkpoints")
        lora = config.kind == "lm" and (ckpt.path / ADAPTER_CONFIG).is_file()  # loads on its base, merged
        if not (ckpt.path / "config.json").is_file() and not lora:
            raise ConfigError(f"model.pretrained = {ref!r}: {ckpt.path} is not a save_pretrained directory")
        if lora and (problem := pretrained_problem(str(ckpt.path), adapters=True)):
            raise ConfigError(problem)
        model.pretrained = str(ckpt.path)
        note = f"starting from {ckpt.run_dir.name}/{ckpt.name} (step {ckpt.step})"
        return Resolved(config, parent_record(ckpt, "fine-tune"), note)
    path = Path(ref).expanduser()
    if path.is_dir() and (path / "config.json").is_file():
        model.pretrained = str(path.resolve())
        return Resolved(config, None, f"starting from the model in {model.pretrained}")
    if getattr(model, "allow_download", False):
        return Resolved(config, None, f"starting from {ref} (may download)")
    problem = pretrained_problem(ref, adapters=config.kind == "lm")
    if problem is None:
        return Resolved(config)
    if getattr(model, "if_missing", "error") == "scratch":
        model.pretrained = ""
        return Resolved(config, None, f"no run, checkpoint or model named {ref!r} yet: training from scratch")
    if problem.startswith("model.pretrained:"):
        raise ConfigError(problem)
    recipe = _recipe_naming(ref)
    if recipe:  # a recipe's run name (lm_finetune_own starts from lm-gpt-python-docs): the cache is beside the point
        raise ConfigError(f"model.pretrained = {ref!r}: no run named {ref} yet under {runs_root}; "
                          f"train it first: `aigc-tui train {recipe}`")
    raise ConfigError(f"{problem} (nor is it a run or checkpoint under {runs_root})")


def _recipe_naming(run_name: str) -> str:
    """The recipe (the user's, then the shipped ones) whose runs are named `run_name`, if any."""
    import tomllib

    from aigc_tui.paths import find_recipe, recipe_names

    for recipe in recipe_names():
        try:
            if tomllib.loads(find_recipe(recipe).read_text(encoding="utf-8")).get("name") == run_name:
                return recipe
        except (OSError, ValueError):  # a broken recipe of the user's names nothing
            continue
    return ""
