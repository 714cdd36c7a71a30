"""Dynamic masking (BERT's 15 %, 80/10/10) and fixed-length windows of a token array.

Both are functions of a batch key, so a resumed run sees the same windows and masks.
"""

from __future__ import annotations

import numpy as np
import torch

from aigc_tui.errors import DataError


class EncoderBlocks:
    """Random windows of `block - 2` tokens wrapped as [CLS] window [SEP]."""

    def __init__(self, tokens: np.ndarray, block: int, seed: int, cls_id: int, sep_id: int) -> None:
        inner = block - 2
        if len(tokens) <= inner:
            raise DataError(f"the corpus split has {len(tokens)} tokens; it needs more than block_size - 2 = {inner}")
        self.tokens, self.inner, self.seed = tokens, inner, seed
        self.cls_id, self.sep_id = cls_id, sep_id

    def batch(self, key: int, size: int) -> torch.Tensor:
        gen = torch.Generator().manual_seed(self.seed * 1_000_003 + key)
        starts = torch.randint(0, len(self.tokens) - self.inner, (size,), generator=gen).tolist()
        rows = np.stack([self.tokens[s : s + self.inner].astype(np.int64) for s in starts])
        ids = torch.from_numpy(rows)
        cls = torch.full((size, 1), self.cls_id, dtype=torch.long)
        sep = torch.full((size, 1), self.sep_id, dtype=torch.long)
        return torch.cat([cls, ids, sep], dim=1)


def mask_tokens(
    ids: torch.Tensor, key: int, seed: int, mask_id: int, vocab_size: int, n_special: int, prob: float = 0.15
) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, labels): `prob` of the ordinary tokens are chosen; of those 80 % become [MASK],
    10 % a random ordinary token and 10 % stay; labels are -100 wherever nothing is asked."""
    gen = torch.Generator().manual_seed(seed * 7_368_787 + key)
    ordinary = ids >= n_special
    chosen = (torch.rand(ids.shape, generator=gen) < prob) & ordinary
    if not chosen.any():  # a loss over zero tokens would be NaN
        chosen[ordinary.nonzero()[:1].unbind(1)] = True
    roll = torch.rand(ids.shape, generator=gen)
    random_ids = torch.randint(n_special, vocab_size, ids.shape, generator=gen)
    inputs = ids.clone()
    inputs[chosen & (roll < 0.8)] = mask_id
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[swap] = random_ids[swap]
    labels = torch.where(chosen, ids, torch.full_like(ids, -100))
    return inputs, labels
