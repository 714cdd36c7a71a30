"""The nanoGPT-style LM loop `aigc-tui bench` measures the trainer against.

karpathy/nanoGPT train.py's inner loop, minimal: a random batch of windows from the token
array (np slices stacked, as its get_batch), forward, cross-entropy, backward, clip to
1.0, AdamW (fused on CUDA), zero_grad; bf16 autocast when asked. It trains the very model
object the trainer holds (any module returning `.logits`, or logits), so the ratio
measures the loop alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F


def make_step(model: torch.nn.Module, tokens: np.ndarray, batch_size: int, block_size: int,
              device: torch.device, lr: float = 1e-3, dtype: torch.dtype | None = None,
              grad_clip: float = 1.0) -> Callable[[], int]:
    """A function that runs one training iteration and returns the tokens it consumed."""
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=lr, betas=(0.9, 0.95), **({"fused": True} if device.type == "cuda" else {}))
    ctx = torch.autocast(device.type, dtype=dtype) if dtype is not None else contextlib.nullcontext()
    model.train()

    def get_batch() -> tuple[torch.Tensor, torch.Tensor]:
        ix = torch.randint(len(tokens) - block_size - 1, (batch_size,))
        x = torch.stack([torch.from_numpy(tokens[i : i + block_size].astype(np.int64)) for i in ix])
        y = torch.stack([torch.from_numpy(tokens[i + 1 : i + 1 + block_size].astype(np.int64)) for i in ix])
        if device.type == "cuda":
            return x.pin_memory().to(device, non_blocking=True), y.pin_memory().to(device, non_blocking=True)
        return x, y

    def step() -> int:
        x, y = get_batch()
        with ctx:
            out = model(x)
            logits = getattr(out, "logits", out)
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))
        loss.backward()
        if grad_clip:
            torch.nn.utils.clip_grad_norm_(params, grad_clip)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return batch_size * block_size

    return step
