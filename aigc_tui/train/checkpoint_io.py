"""Checkpoint files: weights as safetensors, trainer state loaded with weights_only=True."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError

from aigc_tui.errors import ModelError as CheckpointError
from aigc_tui.errors import StorageError, os_reason
from aigc_tui.runs.atomic import atomic_directory
from aigc_tui.runs.layout import META_FILE, TRAINER_STATE_FILE
from aigc_tui.runs.strict_json import dumps


def rng_state(device: torch.device, extra: dict[str, torch.Generator] | None = None) -> dict[str, Any]:
    """RNG states as tensors (numpy RNG objects would not load with weights_only=True)."""
    state: dict[str, Any] = {"torch": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    for name, gen in (extra or {}).items():
        state[f"gen:{name}"] = gen.get_state()
    return state


def set_rng_state(state: dict[str, Any], device: torch.device, extra: dict[str, torch.Generator] | None = None) -> None:
    torch.set_rng_state(state["torch"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)
    for name, gen in (extra or {}).items():
        if f"gen:{name}" in state:
            gen.set_state(state[f"gen:{name}"])


def write_checkpoint(
    final: Path,
    write_weights: Callable[[Path], None],
    trainer_state: dict[str, Any],
    meta: dict[str, Any],
    extra_files: dict[str, str] | None = None,
) -> Path:
    """Build the checkpoint under a temp name and rename it into place, so none is ever half-written.

    A write that fails (a full disk, a file-size limit) leaves no trace and raises StorageError
    naming the checkpoint and the cause: the newest checkpoint before it is whole."""
    writing = "the weights"
    try:
        with atomic_directory(final) as tmp:
            write_weights(tmp)
            writing = TRAINER_STATE_FILE
            torch.save(trainer_state, tmp / TRAINER_STATE_FILE)
            for writing, text in (extra_files or {}).items():
                (tmp / writing).write_text(text, encoding="utf-8")
            writing = META_FILE
            (tmp / META_FILE).write_text(dumps({"time": time.time(), **meta}, indent=2, sort_keys=True))
    except (OSError, RuntimeError, SafetensorError) as exc:  # torch.save and safetensors wrap the OS error
        reason = os_reason(exc)
        if not isinstance(exc, OSError) and ("unexpected pos" in reason or "write failed" in reason):
            reason = "a short write (a full disk or a file-size limit)"  # torch.save's words for it
        raise StorageError(f"checkpoint {final.name} not written: {writing}: {reason}",
                           hint="the checkpoints before it are whole; free space, then resume") from exc
    return final


def load_trainer_state(folder: Path) -> dict[str, Any]:
    path = Path(folder) / TRAINER_STATE_FILE
    if not path.is_file():
        raise CheckpointError(f"{folder} holds weights only (no {TRAINER_STATE_FILE}); it cannot resume training")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a foreign or tampered pickle is refused, not executed
        raise CheckpointError(f"{path} is not a trainer state this program wrote: {exc}") from None
