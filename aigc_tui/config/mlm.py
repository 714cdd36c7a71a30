"""The encoder recipes: BERT-style masked-LM pretraining (`mlm`) and sequence classification (`classify`)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from aigc_tui.config.common import LOOP_METRICS, RunSection, StrictModel
from aigc_tui.config.lm import TextDataSection


def _run_defaults(data: Any, keep_best: str, best_mode: str) -> Any:
    """A recipe's [run] table that leaves keep_best out still keeps the family's best metric."""
    if isinstance(data, dict) and isinstance(data.get("run"), dict):
        return {**data, "run": {"keep_best": keep_best, "best_mode": best_mode, **data["run"]}}
    return data


class EncoderArch(StrictModel):
    """A BERT built from scratch: its size and its tokenizer, trained on the corpus."""

    n_layer: int = Field(4, ge=1, le=128)
    n_head: int = Field(4, ge=1, le=128)
    n_embd: int = Field(128, ge=8, le=16384)
    """Hidden size (the feed-forward layer is 4x this)."""
    block_size: int = Field(128, ge=8, le=8192)
    """Longest input in tokens, [CLS] and [SEP] included."""
    vocab_size: int = Field(4096, ge=120, le=262144)
    """Vocabulary of the tokenizer trained on the corpus."""
    tokenizer: Literal["wordpiece", "bpe"] = "wordpiece"
    """wordpiece (BERT's) or bpe (byte-level)."""
    dropout: float = Field(0.1, ge=0, lt=1)

    @model_validator(mode="after")
    def _heads(self) -> EncoderArch:
        if self.n_embd % self.n_head:
            raise ValueError(f"model.n_embd ({self.n_embd}) must be divisible by model.n_head ({self.n_head})")
        return self


class MlmTrainSection(StrictModel):
    batch_size: int = Field(32, ge=1, le=65536)
    lr: float = Field(5e-4, gt=0, le=1)
    min_lr: float = Field(5e-5, ge=0, le=1)
    warmup_steps: int = Field(50, ge=0)
    weight_decay: float = Field(0.01, ge=0)
    grad_clip: float = Field(1.0, ge=0)
    """Clip the gradient norm to this (0: off)."""
    mask_prob: float = Field(0.15, gt=0, lt=1)
    """Share of tokens chosen for prediction; of those 80 % become [MASK], 10 % a random token, 10 % stay."""
    eval_every: int = Field(100, ge=1)
    """Steps between validation passes (a multiple of run.log_every)."""
    eval_batches: int = Field(8, ge=1)
    sample_prompt: str = "The [MASK] statement returns a value from a function."
    """Filled in at each checkpoint (sample.txt) so you can watch what the model learns."""
    nonfinite_patience: int = Field(20, ge=1, le=1_000_000)
    """Steps in a row with a NaN/inf loss (each one skipped) before the run ends failed as diverged."""


class MlmConfig(StrictModel):
    logged_metrics: ClassVar[tuple[str, ...]] = ("loss", "mlm_accuracy", "grad_norm", "nonfinite", "lr", "tokens_per_s",
                                                 "val_loss", "val_mlm_accuracy", *LOOP_METRICS)
    kind: Literal["mlm"] = "mlm"
    name: str = "mlm"
    description: str = ""
    run: RunSection = Field(default_factory=lambda: RunSection(keep_best="val_loss"))
    data: TextDataSection = Field(default_factory=TextDataSection)
    model: EncoderArch = Field(default_factory=EncoderArch)
    train: MlmTrainSection = Field(default_factory=MlmTrainSection)

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        return _run_defaults(data, "val_loss", "min")

    @model_validator(mode="after")
    def _cadence(self) -> MlmConfig:
        if self.train.eval_every % self.run.log_every:
            raise ValueError(f"train.eval_every ({self.train.eval_every}) must be a multiple of run.log_every ({self.run.log_every})")
        return self

    @property
    def throughput_unit(self) -> str:
        return "tokens/s"


class LabelledDataSection(StrictModel):
    source: str = "builtin:stdlib-docstrings"
    """builtin:stdlib-docstrings (no download) or labelled:PATH (.jsonl with text/label, or .csv)."""
    dev: str = ""
    """labelled:PATH of a dev set; empty: hold out dev_fraction of each label."""
    dev_fraction: float = Field(0.15, gt=0, lt=0.9)
    labels: list[str] = Field(default_factory=list)
    """Only these labels (empty: all)."""
    max_per_label: int = Field(0, ge=0)
    """At most this many examples of each label (0: all)."""

    @field_validator("source", "dev")
    @classmethod
    def _source(cls, value: str) -> str:
        if value in ("", "builtin:stdlib-docstrings") or value.startswith("labelled:"):
            return value
        raise ValueError(f"unknown labelled source '{value}'; use builtin:stdlib-docstrings or labelled:PATH")


class ClassifyModelSection(EncoderArch):
    pretrained: str = ""
    """The encoder to fine-tune: a run name (its newest checkpoint), RUN@step-N, a checkpoint or
    Hugging Face directory; empty: a BERT from scratch with the sizes below."""
    if_missing: Literal["error", "scratch"] = "error"
    """When `pretrained` names a run that does not exist (yet): stop with an error, or train from scratch."""
    max_length: int = Field(128, ge=8, le=8192)
    """Texts are cut to this many tokens."""


class ClassifyTrainSection(StrictModel):
    batch_size: int = Field(16, ge=1, le=65536)
    lr: float = Field(2e-5, gt=0, le=1)
    warmup_steps: int = Field(0, ge=0)
    """Linear warmup steps (0: 10 % of the run), then linear decay to 0."""
    weight_decay: float = Field(0.01, ge=0)
    grad_clip: float = Field(1.0, ge=0)
    eval_every: int = Field(100, ge=1)
    """Steps between dev evaluations (a multiple of run.log_every)."""
    nonfinite_patience: int = Field(20, ge=1, le=1_000_000)
    """Steps in a row with a NaN/inf loss (each one skipped) before the run ends failed as diverged."""


class ClassifyConfig(StrictModel):
    logged_metrics: ClassVar[tuple[str, ...]] = ("loss", "accuracy", "grad_norm", "nonfinite", "lr", "examples_per_s",
                                                 "val_loss", "val_accuracy", "val_f1", *LOOP_METRICS)
    kind: Literal["classify"] = "classify"
    name: str = "classify"
    description: str = ""
    run: RunSection = Field(default_factory=lambda: RunSection(keep_best="val_accuracy", best_mode="max"))
    data: LabelledDataSection = Field(default_factory=LabelledDataSection)
    model: ClassifyModelSection = Field(default_factory=ClassifyModelSection)
    train: ClassifyTrainSection = Field(default_factory=ClassifyTrainSection)

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        return _run_defaults(data, "val_accuracy", "max")

    @model_validator(mode="after")
    def _cadence(self) -> ClassifyConfig:
        if self.train.eval_every % self.run.log_every:
            raise ValueError(f"train.eval_every ({self.train.eval_every}) must be a multiple of run.log_every ({self.run.log_every})")
        return self

    @property
    def throughput_unit(self) -> str:
        return "examples/s"
