"""FSDP2 (`fully_shard`) for language models that do not fit one GPU.

Each transformer block is its own shard unit, then the root (embeddings and the tied head).
Checkpoints stay plain: the full weights are gathered to CPU for rank 0's `save_pretrained`,
and the optimizer state is saved unsharded, keyed by parameter name, so any world size (one
process included) can resume it.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.distributed.checkpoint.state_dict import (
    StateDictOptions,
    get_model_state_dict,
    get_optimizer_state_dict,
    set_model_state_dict,
    set_optimizer_state_dict,
)
from torch.distributed.fsdp import fully_shard

FULL = StateDictOptions(full_state_dict=True, cpu_offload=True)


def blocks(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The repeated layers Hugging Face names in `_no_split_modules` (GPT2Block, LlamaDecoderLayer...)."""
    names = set(getattr(model, "_no_split_modules", None) or [])
    return [m for m in model.modules() if type(m).__name__ in names]


def shard_model(model: torch.nn.Module) -> None:
    """Shard in place: blocks first, then the root, so the root owns what the blocks do not."""
    for block in blocks(model):
        fully_shard(block)
    fully_shard(model)


def _named_to_indexed(optim: dict[str, Any], names: list[str]) -> dict[str, Any]:
    index = {name: i for i, name in enumerate(names)}
    groups = [{**g, "params": [index[n] for n in g["params"]]} for g in optim["param_groups"]]
    return {"state": {index[n]: v for n, v in optim["state"].items()}, "param_groups": groups}


def _indexed_to_named(optim: dict[str, Any], names: list[str]) -> dict[str, Any]:
    groups = [{**g, "params": [names[i] for i in g["params"]]} for g in optim["param_groups"]]
    return {"state": {names[int(i)]: v for i, v in optim["state"].items()}, "param_groups": groups}


def full_state(model: torch.nn.Module, optimizer: torch.optim.Optimizer, names: list[str]
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Full (unsharded, CPU) weights and optimizer state; a collective: every rank calls it.

    The optimizer state comes back in `Optimizer.state_dict()`'s own indexed form (`names` is
    the optimizer's parameter order), so one process loads it with plain `load_state_dict`.
    """
    weights = get_model_state_dict(model, options=FULL)
    optim = get_optimizer_state_dict(model, optimizer, options=FULL)
    return weights, (_named_to_indexed(optim, names) if optim else {})  # cpu_offload: only rank 0 gets it


def load_full_state(model: torch.nn.Module, optimizer: torch.optim.Optimizer, weights: dict[str, torch.Tensor],
                    optim: dict[str, Any], names: list[str]) -> None:
    """Load full weights and an indexed optimizer state into the sharded model (any world size wrote them)."""
    set_model_state_dict(model, {k: v.cpu() for k, v in weights.items()},
                         options=StateDictOptions(full_state_dict=True, strict=False))
    set_optimizer_state_dict(model, optimizer, _indexed_to_named(optim, names),
                             options=StateDictOptions(full_state_dict=True))
