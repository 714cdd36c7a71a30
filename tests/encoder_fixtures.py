"""Tiny encoder recipes: a BERT pretrained and fine-tuned in seconds on CPU."""

from __future__ import annotations

TINY_MLM = {
    "kind": "mlm",
    "name": "tiny-mlm",
    "run": {"steps": 20, "seed": 2, "device": "cpu", "log_every": 10, "sample_every": 0,
            "checkpoint_every": 10, "keep_last": 2},
    "data": {"source": "builtin:python-docs", "max_chars": 40_000},
    "model": {"n_layer": 1, "n_head": 2, "n_embd": 32, "block_size": 32, "vocab_size": 400},
    "train": {"batch_size": 8, "lr": 2e-3, "warmup_steps": 2, "eval_every": 10, "eval_batches": 2},
}

TINY_CLASSIFY = {
    "kind": "classify",
    "name": "tiny-classify",
    "run": {"steps": 60, "seed": 2, "device": "cpu", "log_every": 20, "sample_every": 0, "checkpoint_every": 0},
    "data": {"labels": ["asyncio", "logging"], "max_per_label": 40},
    "model": {"pretrained": "tiny-mlm", "max_length": 32},
    "train": {"batch_size": 16, "lr": 2e-3, "warmup_steps": 5, "eval_every": 20},
}
