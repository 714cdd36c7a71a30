"""Helpers the tests import: tiny recipes and the CLI subprocess environment."""

from __future__ import annotations

import os
from pathlib import Path

import tomli_w

REPO = Path(__file__).resolve().parent.parent

TINY_GAN = {
    "kind": "gan",
    "name": "tiny-gan",
    "run": {"steps": 30, "seed": 3, "device": "cpu", "log_every": 5, "sample_every": 10,
            "checkpoint_every": 10, "keep_last": 2},
    "data": {"source": "builtin:digits", "image_size": 8, "limit": 256},
    "model": {"arch": "mlp", "latent_dim": 8, "g_hidden": [32], "d_hidden": [32]},
    "train": {"batch_size": 16, "sample_count": 16},
}


def write_recipe(path: Path, data: dict) -> Path:
    path.write_text(tomli_w.dumps(data))
    return path


def merge(base: dict, **sections: dict) -> dict:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for key, value in sections.items():
        if isinstance(value, dict):
            out.setdefault(key, {}).update(value)
        else:
            out[key] = value
    return out


def cli_env() -> dict[str, str]:
    """Environment for a CLI subprocess: the test's isolated home, one thread each."""
    return dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))


def stop_after_step(trainer, step: int) -> None:
    """Make a trainer stop after `step` through the same path a stop request or SIGTERM takes."""
    step_once = trainer.train_step

    def step_then_stop():
        items = step_once()
        if trainer.step + 1 == step:
            trainer.request_stop("test")
        return items

    trainer.train_step = step_then_stop
