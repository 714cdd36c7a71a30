"""Build or load causal LMs through transformers; offline unless the recipe allows a download."""

from __future__ import annotations

import warnings
from pathlib import Path

import torch
from safetensors import SafetensorError

from aigc_tui.config.environment import ADAPTER_CONFIG
from aigc_tui.config.lm import LmConfig, LmModelSection
from aigc_tui.errors import ModelError as ModelLoadError
from aigc_tui.models.load_errors import load_failure


def from_scratch(section: LmModelSection, vocab_size: int, eos_id: int) -> torch.nn.Module:
    from transformers import AutoModelForCausalLM, GPT2Config, LlamaConfig

    if section.arch == "gpt2":
        cfg = GPT2Config(
            vocab_size=vocab_size, n_positions=section.block_size, n_embd=section.n_embd,
            n_layer=section.n_layer, n_head=section.n_head, resid_pdrop=section.dropout,
            embd_pdrop=section.dropout, attn_pdrop=section.dropout, bos_token_id=eos_id, eos_token_id=eos_id,
            activation_function="gelu_pytorch_tanh",  # gelu_new's formula as one kernel, not five ops
        )
    else:
        cfg = LlamaConfig(
            vocab_size=vocab_size, hidden_size=section.n_embd, intermediate_size=4 * section.n_embd,
            num_hidden_layers=section.n_layer, num_attention_heads=section.n_head,
            num_key_value_heads=section.n_head, max_position_embeddings=section.block_size,
            attention_dropout=section.dropout, bos_token_id=eos_id, eos_token_id=eos_id, tie_word_embeddings=True,
        )
    return AutoModelForCausalLM.from_config(cfg, attn_implementation="sdpa")


def load_pretrained(name: str, allow_download: bool = False, trust_remote_code: bool = False):
    """(model, tokenizer) from a local directory or the local HF cache; a clear error if absent."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    local = Path(name).expanduser()
    source = str(local) if local.exists() else name
    if (local / ADAPTER_CONFIG).is_file() and not (local / "config.json").is_file():
        return _load_lora(local, allow_download, trust_remote_code)
    if local.exists() and not (local / "config.json").is_file():
        raise ModelLoadError(f"{local} is not a Hugging Face model directory (no config.json)")
    if local.is_dir() and not any(local.glob("*.safetensors")) and any(local.glob("*.bin")):
        raise ModelLoadError(
            f"{local} holds only pickle weights (*.bin), which can run code when loaded; aigc-tui loads safetensors only",
            "convert it once where you trust it: model.save_pretrained(path, safe_serialization=True)",
        )
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            source, local_files_only=not allow_download, trust_remote_code=trust_remote_code
        )
        model = AutoModelForCausalLM.from_pretrained(
            source, local_files_only=not allow_download, trust_remote_code=trust_remote_code, use_safetensors=True
        )
    except OSError as exc:
        if not local.exists() and not allow_download:
            raise ModelLoadError(
                f"model '{name}' is not a local directory nor in the local Hugging Face cache, and downloads "
                "are off (set model.allow_download = true, or point model.pretrained at a local copy)"
            ) from None
        raise ModelLoadError(load_failure(name, f"model '{name}'", exc)) from None
    except (ValueError, RuntimeError, SafetensorError) as exc:  # e.g. an empty or torn weights file
        raise ModelLoadError(load_failure(name, f"model '{name}'", exc)) from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer




def _load_lora(local: Path, allow_download: bool, trust_remote_code: bool):
    """A LoRA checkpoint: its recorded base, the adapter applied and merged (plain model for generation)."""
    import json

    try:
        base = str(json.loads((local / ADAPTER_CONFIG).read_text())["base_model_name_or_path"] or "")
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelLoadError(f"{local} is a LoRA adapter checkpoint whose adapter_config.json is unreadable") from None
    if not base:
        raise ModelLoadError(f"{local} is a LoRA adapter checkpoint that names no base model")
    if base.startswith(("/", ".", "~")) and not Path(base).expanduser().exists():
        raise ModelLoadError(f"the LoRA's base checkpoint {base} no longer exists; {local} holds only the adapter",
                             "keep the base run's checkpoint while its LoRA fine-tunes are used")
    try:
        from peft import PeftModel
    except ImportError:
        raise ModelLoadError(f"{local} is a LoRA adapter; loading it needs peft: pip install 'aigc-tui[lora]'") from None
    model, tokenizer = load_pretrained(base, allow_download, trust_remote_code)
    if (local / "tokenizer_config.json").is_file():
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(str(local), local_files_only=True)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
    try:
        with warnings.catch_warnings():  # peft's deprecation chatter is not the user's business
            warnings.simplefilter("ignore")
            model = PeftModel.from_pretrained(model, str(local), is_trainable=False).merge_and_unload()
    except (OSError, ValueError, RuntimeError, SafetensorError) as exc:
        raise ModelLoadError(load_failure(str(local), f"LoRA adapter {local}", exc)) from None
    # The merged model is this checkpoint's model, not its base's: a LoRA trained on it records
    # this checkpoint as its base (peft reads name_or_path), so it loads with this adapter merged.
    model.name_or_path = model.config._name_or_path = str(local)
    model.requires_grad_(True)  # peft froze the base: trainable again, as any model from_pretrained
    return model, tokenizer


def add_lora(model, config: LmConfig):
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError:
        raise ModelLoadError("model.lora = true needs peft: pip install 'aigc-tui[lora]'") from None
    m = config.model
    lora = LoraConfig(r=m.lora_r, lora_alpha=m.lora_alpha, lora_dropout=m.lora_dropout, task_type="CAUSAL_LM",
                      target_modules="all-linear")
    return get_peft_model(model, lora)
