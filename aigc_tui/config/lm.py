"""The language-model recipe: a small GPT from scratch or a fine-tune of a local HF causal LM."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from aigc_tui.config.common import LOOP_METRICS, RunSection, StrictModel, check_name

TEXT_SOURCES = "builtin:python-docs, builtin:python-stdlib or text:PATH"


class TextDataSection(StrictModel):
    source: str = "builtin:python-docs"
    """builtin:python-docs, builtin:python-stdlib (no download), or text:PATH (file or folder)."""
    val_fraction: float = Field(0.05, gt=0, lt=0.5)
    """Share of the corpus held out for validation."""
    max_chars: int = Field(0, ge=0)
    """Use at most this many characters of the corpus (0: all)."""

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if value in ("builtin:python-docs", "builtin:python-stdlib"):
            return value
        if value.startswith("text:") and value.removeprefix("text:").strip():
            return value  # whether the path exists is checked at launch (config.environment)
        raise ValueError(f"unknown text source '{value}'; use {TEXT_SOURCES}")


class LmModelSection(StrictModel):
    pretrained: str = ""
    """The model to fine-tune: a run name (its newest checkpoint), RUN@step-N, a checkpoint or
    Hugging Face directory, or a cached HF id; empty: train from scratch."""
    if_missing: Literal["error", "scratch"] = "error"
    """When `pretrained` names a run that does not exist (yet): stop with an error, or train from scratch."""
    allow_download: bool = False
    """Let transformers download `pretrained` when it is not in the local cache."""
    trust_remote_code: bool = False
    """Run a model's own Python code from its repository (off unless you trust it)."""
    arch: Literal["gpt2", "llama"] = "gpt2"
    """Architecture when training from scratch."""
    n_layer: int = Field(4, ge=1, le=128)
    n_head: int = Field(4, ge=1, le=128)
    n_embd: int = Field(128, ge=8, le=16384)
    block_size: int = Field(128, ge=8, le=32768)
    """Context length in tokens (training blocks are this long)."""
    vocab_size: int = Field(2048, ge=260, le=262144)
    """Byte-level BPE vocabulary trained on the corpus (from scratch only)."""
    dropout: float = Field(0.0, ge=0, lt=1)
    lora: bool = False
    """Fine-tune LoRA adapters (needs peft) instead of every weight."""
    lora_r: int = Field(8, ge=1, le=1024)
    lora_alpha: int = Field(16, ge=1)
    lora_dropout: float = Field(0.05, ge=0, lt=1)

    @model_validator(mode="after")
    def _consistent(self) -> LmModelSection:
        if not self.pretrained and self.n_embd % self.n_head:
            raise ValueError(f"model.n_embd ({self.n_embd}) must be divisible by model.n_head ({self.n_head})")
        return self


class LmTrainSection(StrictModel):
    batch_size: int = Field(16, ge=1, le=65536)
    grad_accum: int = Field(1, ge=1, le=1024)
    """Micro-batches per optimizer step."""
    lr: float = Field(1e-3, gt=0, le=1)
    min_lr: float = Field(1e-4, ge=0, le=1)
    warmup_steps: int = Field(50, ge=0)
    weight_decay: float = Field(0.1, ge=0)
    beta1: float = Field(0.9, ge=0, lt=1)
    beta2: float = Field(0.95, ge=0, lt=1)
    grad_clip: float = Field(1.0, ge=0)
    """Clip the gradient norm to this (0: off)."""
    eval_every: int = Field(100, ge=1)
    """Steps between validation passes."""
    eval_batches: int = Field(8, ge=1)
    sample_prompt: str = "The "
    """Sampled at each checkpoint so you can watch the model's writing change."""
    sample_tokens: int = Field(64, ge=1, le=4096)
    sample_temperature: float = Field(0.8, gt=0, le=10)
    nonfinite_patience: int = Field(20, ge=1, le=1_000_000)
    """Steps in a row with a NaN/inf loss (each one skipped) before the run ends failed as diverged."""
    strategy: Literal["ddp", "fsdp"] = "ddp"
    """With several processes: ddp (a full copy per GPU) or fsdp (FSDP2, parameters sharded)."""


class LmConfig(StrictModel):
    logged_metrics: ClassVar[tuple[str, ...]] = ("loss", "grad_norm", "nonfinite", "lr", "tokens_per_s", "val_loss",
                                                 "val_ppl", *LOOP_METRICS)
    kind: Literal["lm"] = "lm"
    name: str = "lm"
    description: str = ""
    run: RunSection = Field(default_factory=lambda: RunSection(keep_best="val_loss"))
    data: TextDataSection = Field(default_factory=TextDataSection)
    model: LmModelSection = Field(default_factory=LmModelSection)
    train: LmTrainSection = Field(default_factory=LmTrainSection)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value)

    @property
    def throughput_unit(self) -> str:
        return "tokens/s"
