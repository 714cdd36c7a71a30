"""Masked-LM pretraining of a BERT from scratch: its own tokenizer, dynamic masking, validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from aigc_tui.config.mlm import MlmConfig
from aigc_tui.data.text import load_documents
from aigc_tui.data.tokens import ENCODER_SPECIALS, encode_corpus, train_encoder_tokenizer
from aigc_tui.errors import ConfigError
from aigc_tui.models.encoder import bert_config, fill_mask, load_weights
from aigc_tui.runs.atomic import atomic_write_text
from aigc_tui.runs.layout import SAMPLE_TEXT_FILE, SAMPLE_TEXT_SUFFIX, sample_path
from aigc_tui.train.checkpoint_io import rng_state, set_rng_state
from aigc_tui.train.guard import guarded_step, load_optimizer, make_adam, nonfinite
from aigc_tui.train.lineage import kept_tokenizer
from aigc_tui.train.loop import Trainer
from aigc_tui.train.mlm.masking import EncoderBlocks, mask_tokens
from aigc_tui.train.schedule import warmup_cosine


class MlmTrainer(Trainer):
    items_name = "tokens"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cfg: MlmConfig = self.config  # type: ignore[assignment]
        self.cfg = cfg
        if self.dist.enabled:  # DDP/FSDP are wired for the GAN and LM families only
            raise ConfigError("mlm runs train in one process for now: set run.nproc = 1 and at most one GPU")
        torch.manual_seed(cfg.run.seed)
        from transformers import BertForMaskedLM

        docs = load_documents(cfg.data.source, cfg.data.max_chars)
        m = cfg.model
        self.tokenizer = kept_tokenizer(self.run_dir, lambda: train_encoder_tokenizer(docs, m.vocab_size, m.tokenizer),
                                        self.log)
        self.model = BertForMaskedLM(bert_config(m, self.tokenizer)).to(self.device)
        n_params = sum(p.numel() for p in self.model.parameters()) / 1e6
        self.log(f"model: BERT from scratch, {m.n_layer} layers x {m.n_embd}, {n_params:.2f}M params, "
                 f"{m.tokenizer} vocabulary of {len(self.tokenizer)}")
        tok = self.tokenizer
        train_ids, val_ids = encode_corpus(docs, tok, cfg.data.val_fraction, separator=tok.sep_token_id)
        self.log(f"data: {cfg.data.source}, {len(train_ids):,} train / {len(val_ids):,} val tokens; "
                 f"masking {cfg.train.mask_prob:.0%} of tokens (80 % [MASK], 10 % random, 10 % kept)")
        self.train_blocks = EncoderBlocks(train_ids, m.block_size, cfg.run.seed, tok.cls_token_id, tok.sep_token_id)
        self.val_blocks = EncoderBlocks(val_ids, m.block_size, cfg.run.seed + 1, tok.cls_token_id, tok.sep_token_id)
        t = cfg.train
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = make_adam(
            torch.optim.AdamW,
            [{"params": [p for p in params if p.dim() >= 2], "weight_decay": t.weight_decay},
             {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}],
            lr=self._lr(0),
        )
        self.forward = torch.compile(self.model) if cfg.run.compile else self.model
        self.acc = torch.zeros(5, device=self.device)  # loss, grad norm, non-finite, correct, asked
        self.acc_steps = 0

    def _lr(self, step: int) -> float:
        t = self.cfg.train
        return warmup_cosine(step, self.cfg.run.steps, t.lr, t.min_lr, t.warmup_steps)

    def schedule_note(self) -> str:
        t = self.cfg.train
        return (f"LR schedule recomputed over {self.cfg.run.steps} steps: warmup {t.warmup_steps}, "
                f"cosine from {t.lr:g} to {t.min_lr:g}")

    def _masked(self, blocks: EncoderBlocks, key: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        ids = blocks.batch(key, self.cfg.train.batch_size)
        inputs, labels = mask_tokens(ids, key, seed, self.tokenizer.mask_token_id, len(self.tokenizer),
                                     len(ENCODER_SPECIALS), self.cfg.train.mask_prob)
        return inputs.to(self.device), labels.to(self.device)

    def _forward(self, inputs: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        with self.place.autocast():
            logits = self.forward(input_ids=inputs).logits
        asked = labels != -100
        loss = torch.nn.functional.cross_entropy(logits.float()[asked], labels[asked])
        correct = (logits.detach().argmax(-1)[asked] == labels[asked]).sum().float()
        return loss, correct, asked.sum().float()

    def train_step(self) -> int:
        for group in self.optimizer.param_groups:
            group["lr"] = self._lr(self.step)
        self.model.train()
        inputs, labels = self._masked(self.train_blocks, self.step, self.cfg.run.seed)
        loss, correct, asked = self._forward(inputs, labels)
        loss.backward()
        clip = self.cfg.train.grad_clip
        norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), clip if clip > 0 else float("inf"))
        bad = nonfinite(loss, norm)
        guarded_step(self.optimizer, bad)  # a non-finite update never reaches the weights
        self.optimizer.zero_grad(set_to_none=True)
        self.guard.observe(bad)
        loss = loss.detach()
        self.acc += torch.stack([loss, norm.float(), bad, correct, asked])
        self.acc_steps += 1
        return inputs.numel()

    def read_metrics(self) -> dict[str, float]:
        loss, norm, nonfinite, correct, asked = self.acc.tolist()
        n = max(self.acc_steps, 1)
        self.acc.zero_()
        self.acc_steps = 0
        return {"loss": loss / n, "mlm_accuracy": correct / max(asked, 1.0), "grad_norm": norm / n,
                "nonfinite": nonfinite, "lr": self.optimizer.param_groups[0]["lr"]}

    @torch.no_grad()
    def eval_metrics(self) -> dict[str, float]:
        if self.step % self.cfg.train.eval_every and self.step != self.cfg.run.steps:
            return {}
        self.model.eval()
        totals = torch.zeros(3, device=self.device)
        for k in range(self.cfg.train.eval_batches):
            loss, correct, asked = self._forward(*self._masked(self.val_blocks, k, self.cfg.run.seed + 1))
            totals += torch.stack([loss * asked, correct, asked])
        loss_sum, correct, asked = totals.tolist()
        return {"val_loss": loss_sum / max(asked, 1.0), "val_mlm_accuracy": correct / max(asked, 1.0)}

    def weight_tensors(self) -> list[torch.Tensor]:
        return list(self.model.state_dict().values())

    def save_weights(self, folder: Path) -> None:
        self.model.save_pretrained(folder, safe_serialization=True)
        self.tokenizer.save_pretrained(folder)

    def load_weights(self, folder: Path) -> None:
        load_weights(self.model, folder)

    def state(self) -> dict[str, Any]:
        return {"optimizer": self.optimizer.state_dict(), "rng": rng_state(self.device)}

    def load_state(self, folder: Path, state: dict[str, Any]) -> None:
        self.load_weights(folder)
        load_optimizer(self.optimizer, state["optimizer"], self.log, keys=("betas", "weight_decay", "eps"))
        set_rng_state(state["rng"], self.device)

    def _sample_text(self) -> str:
        self.model.eval()
        try:
            guesses = fill_mask(self.model, self.tokenizer, self.cfg.train.sample_prompt)
        except Exception as exc:  # a prompt without [MASK] must not stop training
            return f"{self.cfg.train.sample_prompt}\n({exc})"
        finally:
            self.model.train()
        lines = [self.cfg.train.sample_prompt]
        for n, options in enumerate(guesses, 1):
            lines.append(f"[MASK] {n}: " + ", ".join(f"{g.token} {g.prob:.2f}" for g in options))
        return "\n".join(lines) + "\n"

    def checkpoint_extras(self) -> dict[str, str]:
        return {SAMPLE_TEXT_FILE: self._sample_text()}

    def sample(self) -> Path:
        path = sample_path(self.run_dir, self.step, SAMPLE_TEXT_SUFFIX)
        atomic_write_text(path, self._sample_text())
        return path
