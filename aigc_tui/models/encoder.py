"""BERT-style encoders through transformers: build from `[model]`, load, fill masks, classify.

Checkpoints are plain `save_pretrained` directories, so `AutoModelForMaskedLM` and
`AutoModelForSequenceClassification` load them (with `id2label`) without this program.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from aigc_tui.config.mlm import EncoderArch
from aigc_tui.errors import ModelError
from aigc_tui.models.load_errors import load_failure


def bert_config(arch: EncoderArch, tokenizer, **extra):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=len(tokenizer), hidden_size=arch.n_embd, num_hidden_layers=arch.n_layer,
        num_attention_heads=arch.n_head, intermediate_size=4 * arch.n_embd,
        max_position_embeddings=arch.block_size, hidden_dropout_prob=arch.dropout,
        attention_probs_dropout_prob=arch.dropout, pad_token_id=tokenizer.pad_token_id, **extra,
    )


def _source(location: str) -> str:
    path = Path(location).expanduser()
    if path.exists() and not (path / "config.json").is_file():
        raise ModelError(f"{path} is not a Hugging Face model directory (no config.json)")
    return str(path) if path.exists() else location


def load_encoder(location: str, task: str, labels: list[str] | None = None, allow_download: bool = False):
    """(model, tokenizer) for task "mlm" or "classify"; with `labels`, a fresh head of that many classes."""
    from transformers import AutoModelForMaskedLM, AutoModelForSequenceClassification, AutoTokenizer

    source = _source(location)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=not allow_download)
        if task == "mlm":
            model = AutoModelForMaskedLM.from_pretrained(source, local_files_only=not allow_download)
        elif labels is None:
            model = AutoModelForSequenceClassification.from_pretrained(source, local_files_only=not allow_download)
        else:
            model = AutoModelForSequenceClassification.from_pretrained(
                source, local_files_only=not allow_download, num_labels=len(labels),
                id2label=dict(enumerate(labels)), label2id={lab: i for i, lab in enumerate(labels)},
                ignore_mismatched_sizes=True,
            )
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(load_failure(location, f"'{location}' as a {task} model", exc)) from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token
    if getattr(model.config, "pad_token_id", None) is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


def load_weights(model: torch.nn.Module, folder: Path) -> None:
    """Weights of a checkpoint of this same model (tied embeddings may be stored once)."""
    from safetensors.torch import load_file

    device = next(model.parameters()).device
    weights: dict[str, torch.Tensor] = {}
    for shard in sorted(Path(folder).glob("*.safetensors")):
        weights |= load_file(str(shard), device=str(device))
    if not weights:
        raise ModelError(f"{folder} holds no safetensors weights")
    missing, unexpected = model.load_state_dict(weights, strict=False)
    tied = {k for k in missing if "decoder" in k or "lm_head" in k or "wte" in k or "embed_tokens" in k}
    if set(missing) - tied or unexpected:
        raise ModelError(f"checkpoint {folder} does not fit this model: missing {sorted(set(missing) - tied)[:4]}, "
                         f"unexpected {sorted(unexpected)[:4]}")
    model.tie_weights()


@dataclass
class MaskGuess:
    token: str
    prob: float


MAX_TOP_K = 100  # guesses per mask: more is a vocabulary dump, not an answer


@torch.no_grad()
def fill_mask(model, tokenizer, text: str, top_k: int = 5) -> list[list[MaskGuess]]:
    """The top-k tokens for each mask token in `text`, in order."""
    mask = tokenizer.mask_token
    if mask is None:
        raise ModelError("this model's tokenizer has no mask token; fill-mask needs a masked-LM checkpoint")
    if mask not in text:
        raise ModelError(f"the text has no {mask} to fill, e.g. \"The {mask} statement returns a value\"")
    if not 1 <= top_k <= MAX_TOP_K:
        raise ModelError(f"top-k {top_k}: give 1 to {MAX_TOP_K} guesses per mask")
    device = next(model.parameters()).device
    limit = getattr(model.config, "max_position_embeddings", 512)
    enc = tokenizer(text, return_tensors="pt")
    if enc["input_ids"].shape[1] > limit:
        raise ModelError(f"the text is {enc['input_ids'].shape[1]} tokens; this model's context is {limit} tokens")
    enc = enc.to(device)
    logits = model(**enc).logits[0]
    positions = (enc["input_ids"][0] == tokenizer.mask_token_id).nonzero().flatten().tolist()
    if not positions:
        raise ModelError(f"the {mask} was cut off: the text is longer than the model's context")
    out = []
    for pos in positions:
        probs = logits[pos].float().softmax(-1)
        values, ids = probs.topk(min(top_k, probs.numel()))
        out.append([MaskGuess(tokenizer.decode([i]).strip(), float(v)) for v, i in zip(values.tolist(), ids.tolist(), strict=True)])
    return out


@torch.no_grad()
def read_tokens(model, tokenizer, text: str) -> tuple[int, int]:
    """(tokens classify reads, tokens the text has): the model reads at most its context, the
    first tokens of a longer text; the caller says so (it was silent, tester6 G13)."""
    total = len(tokenizer(text)["input_ids"])
    return min(total, getattr(model.config, "max_position_embeddings", 512)), total


def truncation_note(read: int, total: int) -> str:
    """`read the first 128 of 5,001 tokens`, or empty when the whole text was read."""
    return f"read the first {read:,} of {total:,} tokens (the model's context)" if read < total else ""


def classify_text(model, tokenizer, text: str) -> list[tuple[str, float]]:
    """(label, probability) for every label, most likely first; the probabilities sum to 1."""
    if not text.strip():
        raise ModelError("nothing to classify: the text is empty")
    device = next(model.parameters()).device
    limit = getattr(model.config, "max_position_embeddings", 512)
    enc = tokenizer(text, return_tensors="pt", truncation=True, max_length=limit).to(device)
    probs = model(**enc).logits[0].float().softmax(-1).tolist()
    id2label = model.config.id2label or {}
    labelled = [(str(id2label.get(i, f"LABEL_{i}")), p) for i, p in enumerate(probs)]
    return sorted(labelled, key=lambda item: -item[1])
