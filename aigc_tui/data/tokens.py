"""Tokenizers and the memory-mapped token cache.

A corpus is tokenized once: the ids land in `<app home>/cache/tokens/<key>/` as uint16/32
arrays keyed by a hash of the corpus and of the tokenizer, so a large corpus is not
re-tokenized on every run or resume. Files are written under a temp name and renamed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from aigc_tui.paths import app_home
from aigc_tui.runs.atomic import atomic_directory

EOS = "<|endoftext|>"


def corpus_hash(docs: list[str]) -> str:
    h = hashlib.sha256()
    for doc in docs:
        h.update(doc.encode("utf-8", errors="replace"))
        h.update(b"\x00")
    return h.hexdigest()[:16]


def tokenizer_hash(tokenizer) -> str:
    return hashlib.sha256(tokenizer.backend_tokenizer.to_str().encode()).hexdigest()[:16]


def cache_root() -> Path:
    return app_home() / "cache"


def train_tokenizer(docs: list[str], vocab_size: int):
    """A byte-level BPE tokenizer trained on the corpus, cached by corpus and size."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import PreTrainedTokenizerFast

    folder = cache_root() / "tokenizers" / f"{corpus_hash(docs)}-{vocab_size}"
    if not (folder / "tokenizer.json").is_file():
        bpe = ByteLevelBPETokenizer()
        bpe.train_from_iterator(docs, vocab_size=vocab_size, min_frequency=2, special_tokens=[EOS], show_progress=False)
        with atomic_directory(folder, keep_existing=True) as tmp:
            bpe.save(str(tmp / "tokenizer.json"))
    return PreTrainedTokenizerFast(
        tokenizer_file=str(folder / "tokenizer.json"), eos_token=EOS, bos_token=EOS, unk_token=EOS, pad_token=EOS
    )


def encode_corpus(
    docs: list[str], tokenizer, val_fraction: float, separator: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Token ids for train and validation (the last `val_fraction` of the corpus), memory-mapped.

    Documents are joined by `separator` (default: the tokenizer's end-of-text token).
    """
    key = f"{corpus_hash(docs)}-{tokenizer_hash(tokenizer)}-{val_fraction}"
    folder = cache_root() / "tokens" / key
    if not (folder / "meta.json").is_file():
        eos = tokenizer.eos_token_id if separator is None else separator
        ids: list[int] = []
        for batch_start in range(0, len(docs), 256):
            for encoded in tokenizer(docs[batch_start : batch_start + 256], add_special_tokens=False)["input_ids"]:
                ids.extend(encoded)
                if eos is not None:
                    ids.append(eos)
        dtype = np.uint16 if len(tokenizer) < 2**16 else np.uint32
        array = np.asarray(ids, dtype=dtype)
        split = int(len(array) * (1 - val_fraction))
        with atomic_directory(folder, keep_existing=True) as tmp:
            array[:split].tofile(tmp / "train.bin")
            array[split:].tofile(tmp / "val.bin")
            (tmp / "meta.json").write_text(json.dumps({"dtype": np.dtype(dtype).name, "tokens": len(array)}))
    meta = json.loads((folder / "meta.json").read_text())
    train = np.memmap(folder / "train.bin", dtype=meta["dtype"], mode="r")
    val = np.memmap(folder / "val.bin", dtype=meta["dtype"], mode="r")
    return train, val


ENCODER_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def train_encoder_tokenizer(docs: list[str], vocab_size: int, kind: str = "wordpiece"):
    """A BERT-style tokenizer ([CLS] text [SEP], a [MASK] token) trained on the corpus, cached.

    `wordpiece` is BERT's own (lower-cased); `bpe` is byte-level BPE (no unknown tokens).
    """
    from tokenizers import BertWordPieceTokenizer, ByteLevelBPETokenizer
    from tokenizers.processors import TemplateProcessing
    from transformers import PreTrainedTokenizerFast

    folder = cache_root() / "tokenizers" / f"{kind}-{corpus_hash(docs)}-{vocab_size}"
    if not (folder / "tokenizer.json").is_file():
        if kind == "wordpiece":
            tok = BertWordPieceTokenizer(lowercase=True)
            tok.train_from_iterator(docs, vocab_size=vocab_size, min_frequency=2,
                                    special_tokens=ENCODER_SPECIALS, show_progress=False)
        else:
            tok = ByteLevelBPETokenizer()
            tok.train_from_iterator(docs, vocab_size=vocab_size, min_frequency=2,
                                    special_tokens=ENCODER_SPECIALS, show_progress=False)
        cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
        tok.post_processor = TemplateProcessing(
            single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
            special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
        )
        with atomic_directory(folder, keep_existing=True) as tmp:
            tok.save(str(tmp / "tokenizer.json"))
    return PreTrainedTokenizerFast(
        tokenizer_file=str(folder / "tokenizer.json"), unk_token="[UNK]", pad_token="[PAD]",
        cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
    )
