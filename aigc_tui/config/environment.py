"""The second stage of validation: does this machine have what a valid recipe names?

The schema (`config.gan`, `config.lm`) is pure, so a run's saved config.toml always loads,
even after its data folder moved. What the recipe points at — an image folder, a text
corpus, a torchvision data set, a pretrained model, a GPU — is checked here, at launch only
(`aigc-tui train`, `resume`, the app's Start), before anything is created. Imports no torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from aigc_tui.config.gan import TORCHVISION_SETS, GanConfig
from aigc_tui.config.lm import LmConfig
from aigc_tui.config.mlm import ClassifyConfig, MlmConfig
from aigc_tui.data.folder_channels import IMAGE_SUFFIXES, folder_channels
from aigc_tui.data.text import corpus_problem
from aigc_tui.errors import ConfigError

RecipeConfig = GanConfig | LmConfig | MlmConfig | ClassifyConfig
CudaCount = int | Callable[[], int] | None
"""How many CUDA devices this process can use: a number, a function counting them (called only
when the recipe asks for CUDA), or None to leave the device to the worker's own check."""


def device_problem(spec: str, cuda_count: int) -> str | None:
    """Why device `spec` is missing on a machine with `cuda_count` usable GPUs, or None.

    The one rule and wording: the launch check and the worker's `models.device` both use it.
    """
    if not spec.startswith("cuda"):
        return None
    if cuda_count <= 0:
        return f"device '{spec}' asked for, but CUDA is not available here; use --device cpu"
    index = int(spec.split(":", 1)[1]) if ":" in spec else 0
    if index >= cuda_count:
        return f"device '{spec}' does not exist: this machine has {cuda_count} GPU(s) (cuda:0 to cuda:{cuda_count - 1})"
    return None


ADAPTER_CONFIG = "adapter_config.json"  # what peft's save_pretrained writes for a LoRA adapter


def adapter_problem(path: Path, depth: int = 0) -> str | None:
    """Why a LoRA checkpoint (the adapter alone) cannot be loaded: it loads on the base model its
    adapter_config.json names, merged, so that base (a model, or another LoRA checkpoint) must be there."""
    import json

    try:
        base = str(json.loads((path / ADAPTER_CONFIG).read_text())["base_model_name_or_path"] or "")
    except (OSError, ValueError, KeyError, TypeError):
        return f"model.pretrained: {path} is a LoRA adapter whose {ADAPTER_CONFIG} is unreadable"
    if not base or depth > 8:
        return f"model.pretrained: {path} is a LoRA adapter that names no base model"
    if base.startswith(("/", ".", "~")) and not Path(base).expanduser().exists():
        return (f"model.pretrained: {path} is a LoRA adapter on {base}, which no longer exists; "
                "point model.pretrained at a run or checkpoint with full weights")
    return pretrained_problem(base, adapters=True, depth=depth + 1)


def pretrained_problem(name: str, adapters: bool = False, depth: int = 0) -> str | None:
    """Why `name` cannot be loaded offline, or None: a local directory, or a hub id in the local
    cache; with `adapters` (a causal LM) also a LoRA checkpoint whose base is there."""
    path = Path(name).expanduser()
    looks_like_path = name.startswith(("/", ".", "~")) or path.exists()
    if looks_like_path:
        if not path.is_dir():
            return f"model.pretrained: {path} does not exist"
        if adapters and not (path / "config.json").is_file() and (path / ADAPTER_CONFIG).is_file():
            return adapter_problem(path, depth)
        if not (path / "config.json").is_file():
            return f"model.pretrained: {path} is not a Hugging Face model directory (no config.json)"
        return None
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - transformers brings it
        return None
    try:
        cached = try_to_load_from_cache(name, "config.json")
    except ValueError as exc:  # not a valid repo id
        return f"model.pretrained = {name!r}: {exc}"
    if not isinstance(cached, str):
        return (
            f"model.pretrained = {name!r} is not in the local Hugging Face cache and downloads are off; "
            "set model.allow_download = true, or point it at a local model directory"
        )
    return None


def _gan_problems(config: GanConfig) -> list[str]:
    data = config.data
    if data.source.startswith("imagefolder:"):
        folder = Path(data.source.removeprefix("imagefolder:")).expanduser()
        if not folder.is_dir():
            return [f"data.source = {data.source!r}: image folder {folder} does not exist"]
        if folder_channels(folder) is None:  # the worker would fail on it after creating the run
            kinds = ", ".join(sorted(IMAGE_SUFFIXES))
            return [f"data.source = {data.source!r}: image folder {folder} holds no readable images ({kinds})"]
    if data.source in TORCHVISION_SETS and not data.download:
        where = Path(data.root).expanduser() / TORCHVISION_SETS[data.source][0]
        if not where.is_dir():
            return [
                f"data.root = {data.root!r}: {data.source} is not in {where}; set data.download = true"
                " to fetch it (needs a network), or point data.root at a folder that holds it"
            ]
    return []


def _lm_problems(config: LmConfig) -> list[str]:
    problems = []
    source = config.data.source
    if source.startswith("text:"):
        path = Path(source.removeprefix("text:")).expanduser()
        if not path.exists():
            problems.append(f"data.source = {source!r}: text path {path} does not exist")
        else:
            # both splits need more than block_size + 1 tokens, and a token is at least a byte
            need = math.ceil((config.model.block_size + 2) / config.data.val_fraction)
            problem = corpus_problem(path, need)
            if problem:
                problems.append(f"data.source: {problem}")
    if config.model.pretrained and not config.model.allow_download:
        problem = pretrained_problem(config.model.pretrained, adapters=True)
        if problem:
            problems.append(problem)
    return problems


def _text_problems(config: MlmConfig) -> list[str]:
    source = config.data.source
    if source.startswith("text:") and not Path(source.removeprefix("text:")).expanduser().exists():
        return [f"data.source = {source!r}: text path {Path(source.removeprefix('text:')).expanduser()} does not exist"]
    return []


def _classify_problems(config: ClassifyConfig) -> list[str]:
    """Every row of a labelled file is read now, so a bad one stops the launch naming its line."""
    from aigc_tui.data.labelled import load_examples, read_labelled_file
    from aigc_tui.errors import DataError

    data = config.data
    try:
        if data.source.startswith("labelled:") or data.labels:
            load_examples(data.source, data.labels, data.max_per_label)
        if data.dev:
            read_labelled_file(Path(data.dev.removeprefix("labelled:")))
    except DataError as exc:
        return [exc.one_line()]
    pretrained = config.model.pretrained
    problem = pretrained_problem(pretrained) if pretrained else None
    return [problem] if problem else []


def environment_problems(config: RecipeConfig, cuda_count: CudaCount = None) -> list[str]:
    """Each thing the recipe names that this machine lacks, one line each, naming the field."""
    if isinstance(config, GanConfig):
        problems = _gan_problems(config)
    elif isinstance(config, MlmConfig):
        problems = _text_problems(config)
    elif isinstance(config, ClassifyConfig):
        problems = _classify_problems(config)
    else:
        problems = _lm_problems(config)
    if cuda_count is not None and config.run.device.startswith("cuda"):
        count = cuda_count() if callable(cuda_count) else cuda_count
        problem = device_problem(config.run.device, count)
        if problem:
            problems.append(f"run.device: {problem}")  # the CLI's --device sets run.device
    return problems


def check_environment(config: RecipeConfig, cuda_count: CudaCount = None) -> None:
    """Raise ConfigError listing what is missing; call before creating or starting a run."""
    problems = environment_problems(config, cuda_count)
    if problems:
        raise ConfigError("\n".join(problems))
