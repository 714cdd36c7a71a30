"""What a run builds its model from when it restarts: its own checkpoint.

`model.pretrained` names where a fine-tune began (a parent run's checkpoint, an HF directory).
That is read on the first start only: once the run has a checkpoint of its own, a restart
builds from that, so resuming a child still works after the parent's checkpoint was pruned,
moved or deleted. A LoRA run is the exception: its checkpoints hold the adapter alone, so it
still needs its base model.
"""

from __future__ import annotations

from pathlib import Path

from aigc_tui.config.io import RecipeConfig


def built_from_own(config: RecipeConfig, checkpoint: Path | None) -> RecipeConfig:
    """`config` with `model.pretrained` pointing at the run's own `checkpoint` (when it has one)."""
    model = getattr(config, "model", None)
    if checkpoint is None or not getattr(model, "pretrained", "") or getattr(model, "lora", False):
        return config
    assert model is not None
    return config.model_copy(update={"model": model.model_copy(update={"pretrained": str(checkpoint)})})
