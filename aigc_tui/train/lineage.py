"""Runs that continue: extend a run (its total changed since the checkpoint) or start from
another run's checkpoint (a fork with weights). Helpers of the loop skeleton."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigc_tui.errors import ModelError, os_reason
from aigc_tui.runs.checkpoints import list_checkpoints, read_checkpoint
from aigc_tui.runs.layout import CHECKPOINT_CONFIG_FILE
from aigc_tui.runs.status import RunStatus
from aigc_tui.train.checkpoint_io import load_trainer_state

if TYPE_CHECKING:
    from aigc_tui.train.loop import Trainer

TOKENIZER_FILE = "tokenizer.json"


def note_extension(trainer: Trainer, folder: Path) -> None:
    """Say so in the log when run.steps changed since `folder` was saved (resume --set run.steps=N)."""
    try:
        before = tomllib.loads((folder / CHECKPOINT_CONFIG_FILE).read_text())["run"]["steps"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return
    if before != trainer.config.run.steps:
        trainer.log(f"run.steps changed from {before} to {trainer.config.run.steps}; {trainer.schedule_note()}")


def warm_start(trainer: Trainer, folder: Path, keep_step: bool, keep_optimizer: bool) -> None:
    """Start from another run's checkpoint: its weights, optionally its step and optimizer state."""
    folder = Path(folder)
    parent = f"the checkpoint this run was forked from, {folder.parent.parent.name}/{folder.name} ({folder}),"
    hint = "fork another checkpoint (`aigc-tui fork RUN@step-N --weights`)"
    if not folder.is_dir():  # pruned or deleted by its run between the fork and this start
        raise ModelError(f"{parent} no longer exists", hint)
    try:
        if keep_optimizer:
            trainer.load_state(folder, load_trainer_state(folder))
        else:
            trainer.load_weights(folder)
    except OSError as exc:  # deleted while being read, or unreadable: one line, not a bug's traceback
        if isinstance(exc, FileNotFoundError) or not folder.is_dir():
            raise ModelError(f"{parent} no longer exists", hint) from None
        raise ModelError(f"{parent} cannot be read: {os_reason(exc)}", hint) from None
    info = read_checkpoint(folder)
    if keep_step and info is not None:
        trainer.step = info.step
    optimizer = "its optimizer state" if keep_optimizer else "a fresh optimizer"
    trainer.log(f"starting from the weights of {folder.parent.parent.name}/{folder.name} at step {trainer.step}, "
                f"with {optimizer}; {trainer.schedule_note()}")


def kept_tokenizer(run_dir: Path, train: Callable[[], Any], log: Callable[[str], None]) -> Any:
    """A from-scratch model's tokenizer: a fork with weights keeps its parent's, whatever corpus it
    trains on (its embeddings belong to those token ids); any other run trains one with `train()`.

    The fork's own checkpoints carry the same tokenizer, so a resume still finds it after the
    parent's checkpoint was pruned."""
    parent = RunStatus.read(run_dir).parent or {}
    if not (parent.get("how") == "fork" and parent.get("weights")):
        return train()
    start = Path(parent["checkpoint"])
    folders = [c.path for c in reversed(list_checkpoints(run_dir))] + [start]
    folder = next((f for f in folders if (f / TOKENIZER_FILE).is_file()), None)
    if folder is None:
        if not start.is_dir():
            return train()  # warm_start says in one line that the parent's checkpoint is gone
        raise ModelError(f"the checkpoint this run was forked from, {start}, has no {TOKENIZER_FILE}: "
                         "its weights cannot be matched to a tokenizer", "fork it without --weights")
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    log(f"tokenizer: kept from {folder.parent.parent.name}/{folder.name} ({len(tokenizer)} tokens; "
        "a fork with weights keeps its parent's token ids whatever data.source is)")
    return tokenizer
