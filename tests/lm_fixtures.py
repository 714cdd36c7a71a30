"""Tiny Hugging Face models made on the spot: tests never touch a network or a model hub."""

from __future__ import annotations

from pathlib import Path

CORPUS = [
    "def add(a, b):\n    return a + b\n",
    "The quick brown fox jumps over the lazy dog. " * 4,
    "class Stack:\n    def push(self, item):\n        self.items.append(item)\n",
    "Python is a programming language that lets you work quickly. " * 3,
] * 8

TINY_LM = {
    "kind": "lm",
    "name": "tiny-lm",
    "run": {"steps": 30, "seed": 1, "device": "cpu", "log_every": 5, "sample_every": 0,
            "checkpoint_every": 15, "keep_last": 2, "keep_best": "val_loss"},
    "data": {"source": "builtin:python-docs", "max_chars": 40_000},
    "model": {"arch": "gpt2", "n_layer": 1, "n_head": 2, "n_embd": 32, "block_size": 32, "vocab_size": 300},
    "train": {"batch_size": 8, "lr": 3e-3, "min_lr": 3e-4, "warmup_steps": 5, "eval_every": 10,
              "eval_batches": 2, "sample_tokens": 8},
}


def make_tokenizer(folder: Path):
    from tokenizers import ByteLevelBPETokenizer
    from transformers import PreTrainedTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS, vocab_size=300, min_frequency=1, special_tokens=["<|endoftext|>"],
                            show_progress=False)
    folder.mkdir(parents=True, exist_ok=True)
    bpe.save(str(folder / "tokenizer-src.json"))
    tok = PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer-src.json"), eos_token="<|endoftext|>",
                                  bos_token="<|endoftext|>", unk_token="<|endoftext|>")
    (folder / "tokenizer-src.json").unlink()
    return tok


def make_tiny_model(folder: Path, arch: str = "gpt2") -> Path:
    """A random tiny causal LM + tokenizer saved with save_pretrained into `folder`."""
    import torch
    from transformers import AutoModelForCausalLM, GPT2Config, LlamaConfig

    tok = make_tokenizer(folder)
    torch.manual_seed(0)
    if arch == "gpt2":
        cfg = GPT2Config(vocab_size=len(tok), n_positions=2048, n_embd=32, n_layer=1, n_head=2,
                         bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id)
    else:
        cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                          num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=2048,
                          bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id)
    AutoModelForCausalLM.from_config(cfg).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder
