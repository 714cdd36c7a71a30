"""Stream tokens from a causal LM through `model.generate`, with cancel and timing."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from aigc_tui.config.common import MAX_SEED
from aigc_tui.errors import AigcError, ConfigError
from aigc_tui.models.stop_text import StopText

MAX_STOPS = 16


@dataclass
class GenerationParams:
    max_new_tokens: int = 200
    temperature: float = 0.8
    top_k: int = 50
    top_p: float = 1.0
    repetition_penalty: float = 1.0
    seed: int = 0
    num_samples: int = 1
    stop: list[str] = field(default_factory=list)  # each sample ends at the first of these it makes

    def check(self) -> None:
        """One clear line for a bad parameter, before any work."""
        if not 1 <= self.max_new_tokens <= 100_000:
            raise ConfigError(f"max_new_tokens = {self.max_new_tokens}: must be from 1 to 100000")
        for name in ("temperature", "top_p", "repetition_penalty"):
            if not math.isfinite(getattr(self, name)):
                raise ConfigError(f"{name} = {getattr(self, name)}: must be a finite number")
        if self.temperature < 0:
            raise ConfigError(f"temperature = {self.temperature}: must be 0 (greedy) or more")
        if self.top_k < 0:
            raise ConfigError(f"top_k = {self.top_k}: must be 0 (off) or more")
        if not 0 < self.top_p <= 1:
            raise ConfigError(f"top_p = {self.top_p}: must be in (0, 1]")
        if self.repetition_penalty <= 0:
            raise ConfigError(f"repetition_penalty = {self.repetition_penalty}: must be more than 0")
        if not 1 <= self.num_samples <= 64:
            raise ConfigError(f"num_samples = {self.num_samples}: must be from 1 to 64")
        if not 0 <= self.seed <= MAX_SEED:
            raise ConfigError(f"seed = {self.seed}: must be from 0 to {MAX_SEED}")
        if not isinstance(self.stop, list | tuple) or not all(isinstance(s, str) and s for s in self.stop):
            raise ConfigError("stop: must be a list of non-empty strings")
        if len(self.stop) > MAX_STOPS:
            raise ConfigError(f"{len(self.stop)} stop strings: at most {MAX_STOPS}")


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    new_tokens: int = 0
    first_token_s: float | None = None
    total_s: float = 0.0
    cancelled: bool = False
    stopped_at_eos: bool = False
    context_limit: int | None = None  # set when the model's context, not max_new_tokens, ended it
    stop: str | None = None  # the stop string that ended this sample (the text is cut before it)

    @property
    def tokens_per_s(self) -> float:
        gen_time = self.total_s - (self.first_token_s or 0.0)
        return (self.new_tokens - 1) / gen_time if self.new_tokens > 1 and gen_time > 0 else 0.0


@dataclass
class _Streamer:
    """transformers' streamer protocol: `put` gets the prompt, then one token at a time."""

    tokenizer: object
    on_text: Callable[[str], None]
    stats: GenerationStats
    started: float
    ids: list[int] = field(default_factory=list)
    emitted: int = 0
    prompt_seen: bool = False

    def put(self, value: torch.Tensor) -> None:
        if not self.prompt_seen:
            self.prompt_seen = True
            return
        for token in value.reshape(-1).tolist():
            if self.stats.first_token_s is None:
                self.stats.first_token_s = time.perf_counter() - self.started
            self.stats.new_tokens += 1
            self.ids.append(int(token))
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):  # half a UTF-8 character: wait for the rest
            return
        if len(text) > self.emitted:
            self.on_text(text[self.emitted :])
            self.emitted = len(text)
        if text.endswith("\n"):  # a clean boundary: decode from here on, not the whole output again
            self.ids, self.emitted = [], 0

    def end(self) -> None:
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if len(text) > self.emitted:
            self.on_text(text[self.emitted :])
            self.emitted = len(text)


def context_length(model) -> int | None:
    cfg = model.config
    for name in ("max_position_embeddings", "n_positions", "n_ctx"):
        value = getattr(cfg, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def check_prompt_fits(model, tokenizer, prompt: str) -> None:
    """Refuse a prompt longer than the model's context before anything is printed or run."""
    limit = context_length(model)
    if limit is None or not prompt:
        return
    count = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    if count >= limit:
        raise AigcError(f"the prompt is {count} tokens; this model's context is {limit} tokens")


def stream_generate(
    model,
    tokenizer,
    prompt: str,
    params: GenerationParams,
    on_text: Callable[[str], None],
    cancel: threading.Event | None = None,
    sample_index: int = 0,
) -> GenerationStats:
    """Generate one sample, calling `on_text` with each new piece of text as it is made.

    The sample ends at the first of `params.stop` it makes (cut before it), at `cancel`, at
    the end-of-text token, or after max_new_tokens; a stop string ends only this sample."""
    from transformers import StoppingCriteria, StoppingCriteriaList

    params.check()
    device = next(model.parameters()).device
    ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)["input_ids"] if prompt else None
    if ids is None or ids.shape[1] == 0:
        bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
        ids = torch.tensor([[bos]])
    limit = context_length(model)
    if limit is not None and ids.shape[1] >= limit:
        raise AigcError(f"the prompt is {ids.shape[1]} tokens; this model's context is {limit} tokens")
    max_new = params.max_new_tokens if limit is None else min(params.max_new_tokens, limit - ids.shape[1])
    stats = GenerationStats(prompt_tokens=int(ids.shape[1]))

    stops = StopText(params.stop)

    def show(text: str) -> None:
        if shown := stops.feed(text):
            on_text(shown)

    class Ended(StoppingCriteria):
        """Cancelled, or this sample reached a stop string (the streamer sees each token first)."""

        def __call__(self, input_ids, scores, **kwargs):  # noqa: ANN001
            done = bool(cancel and cancel.is_set()) or stops.hit is not None
            return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)

    torch.manual_seed(params.seed + sample_index)
    started = time.perf_counter()
    streamer = _Streamer(tokenizer, show, stats, started)
    sampling = params.temperature > 0
    kwargs = {"temperature": params.temperature, "top_k": params.top_k or None, "top_p": params.top_p} if sampling else {}
    with torch.inference_mode():
        out = model.generate(
            ids.to(device), attention_mask=torch.ones_like(ids).to(device), max_new_tokens=max_new,
            do_sample=sampling, repetition_penalty=params.repetition_penalty, streamer=streamer,
            stopping_criteria=StoppingCriteriaList([Ended()]), pad_token_id=tokenizer.pad_token_id
            if tokenizer.pad_token_id is not None else tokenizer.eos_token_id, **kwargs,
        )
    streamer.end()
    if tail := stops.flush():
        on_text(tail)
    stats.stop = stops.hit
    stats.total_s = time.perf_counter() - started
    stats.cancelled = bool(cancel and cancel.is_set())
    stats.stopped_at_eos = bool(tokenizer.eos_token_id is not None and out[0, -1].item() == tokenizer.eos_token_id)
    if max_new < params.max_new_tokens and stats.new_tokens >= max_new and not stats.cancelled and not stats.stop:
        stats.context_limit = limit  # asked for more than fits: say why it stopped short
    return stats


def generate_text(model, tokenizer, prompt: str, params: GenerationParams) -> str:
    pieces: list[str] = []
    stream_generate(model, tokenizer, prompt, params, pieces.append)
    return "".join(pieces)

