"""What MODEL means for `generate`: a run, a checkpoint, a HF model directory or a cached id (no torch)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from aigc_tui.errors import AigcError
from aigc_tui.errors import ModelError as ModelRefError
from aigc_tui.runs import RunNotFound
from aigc_tui.runs.checkpoints import read_checkpoint
from aigc_tui.runs.layout import HF_CONFIG_FILE, is_run_dir
from aigc_tui.runs.store import Run, find_checkpoint

T = TypeVar("T")


def resolve_model(ref: str, runs_root: Path, kinds: tuple[str, ...] = ("lm",)) -> str:
    """A loadable model location: a directory path, or a hub id left for the local cache.

    `kinds` are the checkpoint kinds the caller can use (lm for generate, mlm for fill-mask,
    classify for classify).
    """
    if not ref.strip():  # Path("") is the cwd
        raise ModelRefError("no model given: name a run, a checkpoint, a model directory or a cached Hugging Face id")
    path = Path(ref).expanduser()
    if ref.startswith(("/", ".", "~")) and not path.exists():
        raise ModelRefError(f"{path} does not exist")
    if path.is_dir():
        meta = read_checkpoint(path)
        if meta is not None and meta.kind == "gan":
            raise ModelRefError(f"{path} is a GAN checkpoint; use `aigc-tui sample` for images")
        if meta is not None and meta.kind and meta.kind not in kinds:
            raise ModelRefError(f"{path} is a {meta.kind} checkpoint; {USE_FOR[kinds[0]]}")
        if (path / HF_CONFIG_FILE).is_file() or (path / "adapter_config.json").is_file():  # a model or a LoRA
            return str(path.resolve())
        if not is_run_dir(path):
            raise ModelRefError(f"{path} is neither a run, a checkpoint nor a Hugging Face model directory")
    try:
        ckpt = find_checkpoint(runs_root, ref, prefer="best")
    except RunNotFound as exc:
        hub_id = "/" in ref or not any(c in ref for c in "@:")
        if hub_id and "has no checkpoints" not in str(exc) and not path.exists():
            if _in_hub_cache(ref):
                return ref  # a hub id such as gpt2 or org/name, cached: the loader takes it offline
            if str(exc).startswith("no run '"):  # else it says why (ambiguous, archived): keep that
                raise ModelRefError(f"no run, checkpoint or local directory named '{ref}', and no model '{ref}' "
                                    "in the local Hugging Face cache (downloads are off)") from None
        raise
    if ckpt.kind not in kinds:
        raise ModelRefError(f"run {ckpt.run_dir.name} trains a {ckpt.kind or 'non-LM'} model; {USE_FOR[kinds[0]]}")
    return str(ckpt.path)


def _in_hub_cache(ref: str) -> bool:
    """Whether the local Hugging Face cache holds a model by this id (never asks the network)."""
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(ref, "config.json"), str)
    except ValueError:  # not a valid repo id
        return False


USE_FOR = {
    "lm": "generate needs a language model (use `aigc-tui sample` for GANs, `fill-mask` or `classify` for encoders)",
    "mlm": "fill-mask needs a masked-LM (mlm) checkpoint",
    "classify": "classify needs a classifier (classify) checkpoint",
}


def load_unpruned(location: str, resolve: Callable[[], str], load: Callable[[str], T]) -> T:
    """`load(location)` (what `resolve()` gave), outliving a live run that prunes that checkpoint
    between the two.

    When the loaded checkpoint of a run vanished, the reference is resolved again: a run's name then
    means its newest checkpoint, which is loaded instead; a checkpoint named outright (or a run
    left with none) gets one line saying it was pruned, not the loader's own error."""
    for _ in range(3):
        try:
            return load(location)
        except (AigcError, OSError, ValueError, RuntimeError):
            gone = Path(location)
            if gone.exists() or not is_run_dir(gone.parent.parent):
                raise
        try:
            again = resolve()
        except AigcError:
            again = location
        if again == location:
            break
        location = again
    raise ModelRefError(pruned_line(gone)) from None


def pruned_line(gone: Path) -> str:
    run = Run(gone.parent.parent)
    keep = run.config().get("run", {}).get("keep_last")
    newest = run.checkpoints()
    return (f"checkpoint {gone.name} of {run.name} was pruned{f' (keep_last = {keep})' if keep else ''} while "
            f"loading" + (f"; its newest is {newest[-1].name}" if newest else "; it has none left"))
