"""Images, text and checkpoint registrations a script hands to `track` (written atomically)."""

from __future__ import annotations

import io
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from aigc_tui.runs.atomic import atomic_directory, atomic_write_bytes, atomic_write_text
from aigc_tui.runs.checkpoints import list_checkpoints
from aigc_tui.runs.layout import CHECKPOINT_SOURCE_KEY as SOURCE_KEY
from aigc_tui.runs.layout import HF_CONFIG_FILE as HF_CONFIG
from aigc_tui.runs.layout import META_FILE, SAMPLES_DIR, checkpoint_dir, step_name
from aigc_tui.runs.strict_json import dumps


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(name)).strip("-.")[:60] or "sample"


def sample_path(run_dir: Path, name: str, step: int, suffix: str) -> Path:
    """`samples/step-N-<name>.png`: sorts by step, so the newest is last, as the app expects."""
    return Path(run_dir) / SAMPLES_DIR / f"{step_name(step)}-{_slug(name)}{suffix}"


def to_pil(image: Any) -> Any:
    """A PIL image from PIL, a numpy array (HW, HWC or CHW; uint8, or floats in [0, 1]) or a
    torch tensor, the latter only when the script already imported torch (we never do)."""
    from PIL import Image

    if isinstance(image, Image.Image):
        return image
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(image, torch.Tensor):
        image = image.detach().float().cpu().numpy() if image.is_floating_point() else image.detach().cpu().numpy()
    import numpy as np

    try:
        array = np.asarray(image)
    except ValueError:  # ragged nested lists: numpy's own message talks of inhomogeneous shapes
        raise ValueError("track: log_image wants an image (HW, HWC or CHW); rows of unequal length are not one") from None
    if array.ndim == 3 and array.shape[0] in (1, 3, 4) and array.shape[-1] not in (1, 3, 4):
        array = array.transpose(1, 2, 0)  # CHW -> HWC
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3):
        raise ValueError(f"log_image wants an image (HW, HWC or CHW), got an array of shape {array.shape}")
    if array.dtype != np.uint8:
        array = np.clip(np.nan_to_num(array.astype(np.float32)) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(array)


def write_image(run_dir: Path, name: str, image: Any, step: int) -> Path:
    buffer = io.BytesIO()
    to_pil(image).save(buffer, format="PNG")
    path = sample_path(run_dir, name, step, ".png")
    atomic_write_bytes(path, buffer.getvalue())
    return path


def write_text(run_dir: Path, name: str, text: str, step: int) -> Path:
    path = sample_path(run_dir, name, step, ".txt")
    atomic_write_text(path, str(text))
    return path


def guess_kind(folder: Path) -> str:
    """`lm` for a Hugging Face causal LM directory (Generate can load it), else `script`."""
    try:
        config = json.loads((folder / HF_CONFIG).read_text())
    except (OSError, ValueError):
        return "script"
    architectures = config.get("architectures") or []
    if any(str(a).endswith(("ForCausalLM", "LMHeadModel")) for a in architectures):
        return "lm"
    return "script"


def register_checkpoint(run_dir: Path, source: Path, step: int, metrics: dict[str, float] | None,
                        kind: str | None = None) -> Path:
    """Make `checkpoints/step-N/` point at a directory the script wrote, without copying it.

    The entry holds meta.json and one symlink per file or folder of `source`, so the
    Checkpoints pane lists it, Generate loads it as a model directory, and deleting the entry
    never deletes the script's own files. Entries whose source has gone (a Trainer's
    `save_total_limit`) are dropped on the next registration.
    """
    source = Path(source).expanduser().resolve()
    if source.exists() and not source.is_dir():
        raise NotADirectoryError(f"track: checkpoint {source} is a file; register the directory it was saved in")
    if not source.is_dir():
        raise FileNotFoundError(f"checkpoint directory {source} does not exist")
    _drop_vanished(run_dir)
    clean = {k: float(v) for k, v in (metrics or {}).items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    meta = {"step": int(step), "time": time.time(), "kind": kind or guess_kind(source), "reason": "registered",
            "metrics": {k: v for k, v in clean.items() if v - v == 0}, SOURCE_KEY: str(source)}
    final = checkpoint_dir(run_dir, step)
    with atomic_directory(final) as tmp:
        for entry in sorted(os.listdir(source)):
            if entry != META_FILE:
                os.symlink(source / entry, tmp / entry)
        (tmp / META_FILE).write_text(dumps(meta, indent=2, sort_keys=True) + "\n")
    return final


def _drop_vanished(run_dir: Path) -> None:
    import shutil

    for ckpt in list_checkpoints(run_dir):
        try:
            source = json.loads((ckpt.path / META_FILE).read_text()).get(SOURCE_KEY)
        except (OSError, ValueError):
            continue
        if source and not Path(source).is_dir():
            shutil.rmtree(ckpt.path, ignore_errors=True)
