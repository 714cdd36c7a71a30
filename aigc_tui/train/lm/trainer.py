"""LM training: packed blocks, AdamW with warmup + cosine, accumulation, clipping, validation."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

from aigc_tui.config.lm import LmConfig
from aigc_tui.data.text import load_documents
from aigc_tui.data.tokens import encode_corpus, train_tokenizer
from aigc_tui.errors import ConfigError, DataError, ModelError
from aigc_tui.models.lm import add_lora, from_scratch, load_pretrained
from aigc_tui.models.lm_stream import GenerationParams, context_length, generate_text
from aigc_tui.runs.atomic import atomic_write_text
from aigc_tui.runs.layout import SAMPLE_TEXT_FILE, SAMPLE_TEXT_SUFFIX, sample_path
from aigc_tui.runs.status import RunStatus
from aigc_tui.train.checkpoint_io import rng_state, set_rng_state
from aigc_tui.train.guard import guarded_step, load_optimizer, make_adam, nonfinite
from aigc_tui.train.lineage import kept_tokenizer
from aigc_tui.train.loop import Trainer


def lr_at(step: int, cfg: LmConfig) -> float:
    """Linear warmup, then cosine decay from lr to min_lr over the run."""
    t = cfg.train
    if step < t.warmup_steps:
        return t.lr * (step + 1) / t.warmup_steps
    span = max(1, cfg.run.steps - t.warmup_steps)
    progress = min(1.0, (step - t.warmup_steps) / span)
    return t.min_lr + 0.5 * (t.lr - t.min_lr) * (1 + math.cos(math.pi * progress))


class TokenBlocks:
    """Random fixed-length windows of a token array; the window set is a function of the batch key."""

    def __init__(self, tokens: np.ndarray, block: int, seed: int) -> None:
        if len(tokens) <= block + 1:
            raise DataError(f"the corpus split has {len(tokens)} tokens; it needs more than block_size + 1 = {block + 1}")
        self.tokens, self.block, self.seed = tokens, block, seed
        self._offsets = np.arange(block + 1)

    def batch(self, key: int, size: int, device: torch.device, rank: int = 0, world: int = 1
              ) -> tuple[torch.Tensor, torch.Tensor]:
        """Rank `rank`'s rows of the global batch `key` of `size` rows (the same at any world size)."""
        gen = torch.Generator().manual_seed(self.seed * 1_000_003 + key)
        starts = torch.randint(0, len(self.tokens) - self.block - 1, (size,), generator=gen).numpy()
        per = size // world
        starts = starts[rank * per : (rank + 1) * per]
        data = torch.from_numpy(self.tokens[starts[:, None] + self._offsets].astype(np.int64))  # one gather
        if device.type == "cuda":
            data = data.pin_memory().to(device, non_blocking=True)
        return data[:, :-1], data[:, 1:]


class LmTrainer(Trainer):
    items_name = "tokens"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cfg: LmConfig = self.config  # type: ignore[assignment]
        self.cfg = cfg
        torch.manual_seed(cfg.run.seed)
        docs = load_documents(cfg.data.source, cfg.data.max_chars)
        m = cfg.model
        if m.pretrained:
            self.model, self.tokenizer = load_pretrained(m.pretrained, m.allow_download, m.trust_remote_code)
            self.log(f"model: {m.pretrained} ({sum(p.numel() for p in self.model.parameters()) / 1e6:.1f}M params)")
        else:
            self.tokenizer = kept_tokenizer(self.run_dir, lambda: train_tokenizer(docs, m.vocab_size), self.log)
            self.model = from_scratch(m, len(self.tokenizer), self.tokenizer.eos_token_id)
            parent = RunStatus.read(self.run_dir).parent or {}  # a fork with weights is not "from scratch" (H7)
            origin = (f"weights from {parent['run']}@{Path(parent['checkpoint']).name}"
                      if parent.get("how") == "fork" and parent.get("weights") else "from scratch")
            self.log(f"model: {m.arch} {origin}, {sum(p.numel() for p in self.model.parameters()) / 1e6:.2f}M params")
        if m.lora:
            self.model = add_lora(self.model, cfg)
        self.model.to(self.device)
        self.dist.check_divides(cfg.train.batch_size)
        self.reseed_rank()
        self.fsdp = self.dist.enabled and cfg.train.strategy == "fsdp"
        if self.fsdp and m.lora:
            raise ConfigError("train.strategy = \"fsdp\" with model.lora is not supported; use ddp for LoRA")
        self.sample_needs_all_ranks = self.fsdp
        if self.fsdp:
            from aigc_tui.train.lm.fsdp import shard_model

            shard_model(self.model)
        self.ddp = self.parallel(self.model) if self.dist.enabled and not self.fsdp else None
        train_ids, val_ids = encode_corpus(docs, self.tokenizer, cfg.data.val_fraction)
        self.log(f"data: {cfg.data.source}, {len(train_ids):,} train / {len(val_ids):,} val tokens")
        block = self._block_size()
        self.train_blocks = TokenBlocks(train_ids, block, cfg.run.seed)
        self.val_blocks = TokenBlocks(val_ids, block, cfg.run.seed + 1)
        named = [(n, p) for n, p in self.model.named_parameters() if p.requires_grad]
        params = [p for _, p in named]
        decay = [p for p in params if p.dim() >= 2]
        no_decay = [p for p in params if p.dim() < 2]
        self.param_names = [n for n, p in named if p.dim() >= 2] + [n for n, p in named if p.dim() < 2]
        t = cfg.train
        self.optimizer = make_adam(
            torch.optim.AdamW,
            [{"params": decay, "weight_decay": t.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
            lr=lr_at(0, cfg), betas=(t.beta1, t.beta2),
        )
        train_model = self.ddp or self.model
        self.forward = torch.compile(train_model) if cfg.run.compile else train_model
        self.params = params
        self._losses: list[torch.Tensor] = []  # per step, reduced once per log interval
        self._norms: list[torch.Tensor] = []  # per step when clipping (measured anyway), else log steps
        self._bad: list[torch.Tensor] = []  # the guard's per-step flags
        self._acc = torch.zeros(4, device=self.device)  # loss sum, norm sum, norm count, non-finite steps
        self._acc_steps = 0
        self.acc_steps = 0
        self._training = False

    def _block_size(self) -> int:
        limit = context_length(self.model)
        block = self.cfg.model.block_size
        return min(block, limit) if limit else block

    def _loss(self, x: torch.Tensor, y: torch.Tensor, train: bool = True) -> torch.Tensor:
        with self.place.autocast():  # autocast runs cross_entropy in fp32; evaluation skips DDP's collectives
            logits = (self.forward if train else self.model)(input_ids=x).logits
            return torch.nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())

    def _logs_now(self) -> bool:
        nxt, run = self.step + 1, self.cfg.run
        return nxt % run.log_every == 0 or nxt >= run.steps

    def train_step(self) -> int:
        """One optimizer step; per-step stats are kept as references and reduced at log time."""
        t = self.cfg.train
        lr = lr_at(self.step, self.cfg)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        if not self._training:
            self.model.train()
            self._training = True
        losses = []
        for micro in range(t.grad_accum):
            x, y = self.train_blocks.batch(self.step * t.grad_accum + micro, t.batch_size, self.device,
                                           self.dist.rank, self.dist.world)
            sync = micro == t.grad_accum - 1  # gradients cross ranks once, on the last micro-batch
            if self.fsdp:
                self.model.set_requires_gradient_sync(sync)
            with self.ddp.no_sync() if self.ddp is not None and not sync else contextlib.nullcontext():
                loss = self._loss(x, y)
                (loss / t.grad_accum if t.grad_accum > 1 else loss).backward()
            losses.append(loss.detach())
        self._losses += losses
        norm = None
        if t.grad_clip > 0:  # the clip measures the norm anyway: the guard checks it every step
            norm = torch.nn.utils.clip_grad_norm_(self.params, t.grad_clip)
        elif self._logs_now():
            norm = torch.nn.utils.get_total_norm([p.grad for p in self.params if p.grad is not None])
        if hasattr(norm, "full_tensor"):  # FSDP2: a DTensor
            norm = norm.full_tensor()
        if norm is not None:
            self._norms.append(norm)
        bad = nonfinite(*losses, *([norm] if norm is not None else []))
        guarded_step(self.optimizer, bad)  # a non-finite update never reaches the weights
        self.optimizer.zero_grad(set_to_none=True)
        self.guard.observe(bad)
        self._bad.append(bad)
        self.acc_steps += 1
        if len(self._losses) >= 64 * t.grad_accum:
            self._fold()
        return t.batch_size // self.dist.world * t.grad_accum * self.train_blocks.block

    @torch.no_grad()
    def _fold(self) -> None:
        """Reduce the pending per-step tensors into the accumulator (a few ops per 64 steps)."""
        if not self._losses:
            return
        accum = self.cfg.train.grad_accum
        losses = torch.stack(self._losses).float().view(-1, accum).mean(1)  # one loss per step
        norms = torch.stack(self._norms).float() if self._norms else torch.zeros(0, device=self.device)
        count = torch.full((), float(len(self._norms)), device=self.device)
        self._acc += torch.stack([losses.sum(), norms.sum(), count, torch.stack(self._bad).sum()])
        self._acc_steps += losses.numel()
        for pending in (self._losses, self._norms, self._bad):
            pending.clear()

    def reduce_metrics(self) -> None:
        """Average the sums over ranks (equal slices; norms and counts are the same on every rank)."""
        self._fold()
        self.dist.mean_(self._acc)

    def read_metrics(self) -> dict[str, float]:
        self._fold()
        loss, norm, norms, nonfinite = self._acc.tolist()  # the one host sync of the interval
        n = max(self._acc_steps, 1)
        self._acc.zero_()
        self._acc_steps = self.acc_steps = 0
        return {"loss": loss / n, "grad_norm": norm / norms if norms else math.nan, "nonfinite": nonfinite,
                "lr": self.optimizer.param_groups[0]["lr"]}

    @torch.no_grad()
    def eval_metrics(self) -> dict[str, float]:
        if self.step % self.cfg.train.eval_every and self.step != self.cfg.run.steps:
            return {}
        self.model.eval()
        self._training = False
        t, world = self.cfg.train, self.dist.world
        sums = torch.zeros(2, device=self.device)  # loss sum, batches: ranks share the batches
        for first in range(0, t.eval_batches, world):
            k = first + self.dist.rank
            if k < t.eval_batches or self.fsdp:  # under FSDP every rank joins every forward
                loss = self._loss(*self.val_blocks.batch(min(k, t.eval_batches - 1), t.batch_size, self.device),
                                  train=False)
                if k < t.eval_batches:
                    sums += torch.stack([loss.float(), torch.ones((), device=self.device)])
        self.dist.mean_(sums)
        val = (sums[0] / sums[1]).item()
        return {"val_loss": val, "val_ppl": math.exp(min(val, 50.0))}

    def weight_tensors(self) -> list[torch.Tensor]:
        return list(self.model.state_dict().values())

    def save_weights(self, folder: Path) -> None:
        full = self._full_weights if self.fsdp else None  # gathered by state() on every rank
        self.model.save_pretrained(folder, safe_serialization=True, state_dict=full)
        self.tokenizer.save_pretrained(folder)

    def state(self) -> dict[str, Any]:
        if self.fsdp:
            from aigc_tui.train.lm.fsdp import full_state

            self._full_weights, optim = full_state(self.model, self.optimizer, self.param_names)
            return {"optimizer": optim, "rng": rng_state(self.device)}
        return {"optimizer": self.optimizer.state_dict(), "rng": rng_state(self.device)}

    def schedule_note(self) -> str:
        t = self.cfg.train
        return (f"LR schedule recomputed over {self.cfg.run.steps} steps: warmup {t.warmup_steps}, "
                f"cosine from {t.lr:g} to {t.min_lr:g}")

    def load_state(self, folder: Path, state: dict[str, Any]) -> None:
        if self.fsdp:
            from aigc_tui.train.lm.fsdp import load_full_state

            weights = self._read_weights(folder)
            load_full_state(self.model, self.optimizer, weights, state["optimizer"], self.param_names)
            set_rng_state(state["rng"], self.device)
            return
        self.load_weights(folder)
        load_optimizer(self.optimizer, state["optimizer"], self.log, keys=("betas", "weight_decay", "eps"))  # lr: scheduled
        set_rng_state(state["rng"], self.device)

    def _read_weights(self, folder: Path) -> dict[str, torch.Tensor]:
        from safetensors.torch import load_file

        weights: dict[str, torch.Tensor] = {}
        for shard in sorted(folder.glob("*.safetensors")):
            weights |= load_file(str(shard), device=str(self.device))
        return weights

    def load_weights(self, folder: Path) -> None:
        if self.fsdp:
            raise ModelError("under FSDP a fork with weights needs --keep-optimizer (weights alone load on one GPU)")
        weights = self._read_weights(folder)
        if self.cfg.model.lora:
            from peft import set_peft_model_state_dict

            set_peft_model_state_dict(self.model, weights)
        else:
            missing, unexpected = self.model.load_state_dict(weights, strict=False)
            tied = {k for k in missing if "lm_head" in k or "wte" in k or "embed_tokens" in k}
            if set(missing) - tied or unexpected:
                raise ModelError(f"checkpoint {folder} does not fit this model: missing {missing}, unexpected {unexpected}")
            self.model.tie_weights()

    def _sample_text(self) -> str:
        t = self.cfg.train
        params = GenerationParams(max_new_tokens=t.sample_tokens, temperature=t.sample_temperature,
                                  seed=self.cfg.run.seed)
        rng = torch.get_rng_state()  # sampling must not disturb training's random stream
        try:
            self.model.eval()
            return t.sample_prompt + generate_text(self.model, self.tokenizer, t.sample_prompt, params)
        finally:
            torch.set_rng_state(rng)
            self._training = False

    def checkpoint_extras(self) -> dict[str, str]:
        return {SAMPLE_TEXT_FILE: self._sample_text()}

    def sample(self) -> Path | None:
        text = self._sample_text()
        if not self.dist.is_main:
            return None
        path = sample_path(self.run_dir, self.step, SAMPLE_TEXT_SUFFIX)
        atomic_write_text(path, text)
        return path
