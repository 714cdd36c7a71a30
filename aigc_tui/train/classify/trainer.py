"""Sequence classification: fine-tune a local encoder (or a BERT from scratch) with a label head.

AdamW at lr 2e-5 by default, linear warmup then linear decay, a dev evaluation every
`eval_every` steps with accuracy, macro F1 and a confusion matrix (confusion.json in the run
and in each checkpoint), and the majority-class baseline in the log for comparison.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from aigc_tui.config.mlm import ClassifyConfig
from aigc_tui.data.labelled import majority_baseline
from aigc_tui.data.tokens import train_encoder_tokenizer
from aigc_tui.errors import AigcError, ConfigError
from aigc_tui.models.encoder import bert_config, classify_text, load_encoder, load_weights
from aigc_tui.runs.atomic import atomic_write_text
from aigc_tui.runs.layout import CONFUSION_FILE, SAMPLE_TEXT_FILE, SAMPLE_TEXT_SUFFIX, sample_path
from aigc_tui.train.checkpoint_io import rng_state, set_rng_state
from aigc_tui.train.classify.data import EncodedSet, scores, step_indices, train_and_dev
from aigc_tui.train.guard import guarded_step, load_optimizer, make_adam, nonfinite
from aigc_tui.train.lineage import kept_tokenizer
from aigc_tui.train.loop import Trainer
from aigc_tui.train.schedule import warmup_linear


class ClassifyTrainer(Trainer):
    items_name = "examples"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cfg: ClassifyConfig = self.config  # type: ignore[assignment]
        self.cfg = cfg
        if self.dist.enabled:  # DDP/FSDP are wired for the GAN and LM families only
            raise ConfigError("classify runs train in one process for now: set run.nproc = 1 and at most one GPU")
        torch.manual_seed(cfg.run.seed)
        train, dev, dev_from = train_and_dev(cfg)
        self.labels = sorted(set(train.labels))
        label_ids = {lab: i for i, lab in enumerate(self.labels)}
        m = cfg.model
        if m.pretrained:
            self.model, self.tokenizer = load_encoder(m.pretrained, "classify", self.labels)
            what = f"fine-tuning {m.pretrained}"
        else:
            from transformers import BertForSequenceClassification

            self.tokenizer = kept_tokenizer(
                self.run_dir, lambda: train_encoder_tokenizer(train.texts, m.vocab_size, m.tokenizer), self.log)
            extra = {"num_labels": len(self.labels), "id2label": dict(enumerate(self.labels)), "label2id": label_ids}
            self.model = BertForSequenceClassification(bert_config(m, self.tokenizer, **extra))
            what = f"a BERT from scratch ({m.n_layer} layers x {m.n_embd})"
        self.model.to(self.device)
        limit = min(m.max_length, getattr(self.model.config, "max_position_embeddings", m.max_length))
        self.train_set = EncodedSet(train, self.tokenizer, label_ids, limit)
        self.dev_set = EncodedSet(dev, self.tokenizer, label_ids, limit)
        self.dev_texts = dev.texts  # the sample shows the texts as written: decoding drops [UNK] characters
        n_params = sum(p.numel() for p in self.model.parameters()) / 1e6
        self.log(f"model: {what}, {n_params:.2f}M params, {len(self.labels)} labels")
        self.log(f"data: {cfg.data.source}, {len(train):,} train / {len(dev):,} dev examples (dev: {dev_from})")
        label, self.baseline = majority_baseline(train, dev)
        self.log(f"majority baseline: always '{label}' scores val_accuracy {self.baseline:.3f}")
        t = cfg.train
        self.warmup = t.warmup_steps or max(1, cfg.run.steps // 10)
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = make_adam(
            torch.optim.AdamW,
            [{"params": [p for p in params if p.dim() >= 2], "weight_decay": t.weight_decay},
             {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}],
            lr=self._lr(0),
        )
        self.acc = torch.zeros(4, device=self.device)  # loss, grad norm, non-finite, correct
        self.acc_steps = 0
        self.confusion: dict[str, Any] | None = None

    def _lr(self, step: int) -> float:
        return warmup_linear(step, self.cfg.run.steps, self.cfg.train.lr, self.warmup)

    def schedule_note(self) -> str:
        return (f"LR schedule recomputed over {self.cfg.run.steps} steps: warmup {self.warmup}, "
                f"linear decay from {self.cfg.train.lr:g} to 0")

    def train_step(self) -> int:
        t = self.cfg.train
        for group in self.optimizer.param_groups:
            group["lr"] = self._lr(self.step)
        self.model.train()
        batch = self.train_set.collate(step_indices(self.step, t.batch_size, len(self.train_set), self.cfg.run.seed),
                                       self.device)
        with self.place.autocast():
            out = self.model(**batch)
        loss = out.loss.float()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), t.grad_clip if t.grad_clip > 0 else float("inf"))
        bad = nonfinite(loss, norm)
        guarded_step(self.optimizer, bad)  # a non-finite update never reaches the weights
        self.optimizer.zero_grad(set_to_none=True)
        self.guard.observe(bad)
        correct = (out.logits.detach().argmax(-1) == batch["labels"]).float().mean()
        loss = loss.detach()
        self.acc += torch.stack([loss, norm.float(), bad, correct])
        self.acc_steps += 1
        return int(batch["labels"].numel())

    def read_metrics(self) -> dict[str, float]:
        loss, norm, nonfinite, correct = self.acc.tolist()
        n = max(self.acc_steps, 1)
        self.acc.zero_()
        self.acc_steps = 0
        return {"loss": loss / n, "accuracy": correct / n, "grad_norm": norm / n, "nonfinite": nonfinite,
                "lr": self.optimizer.param_groups[0]["lr"]}

    @torch.no_grad()
    def eval_metrics(self) -> dict[str, float]:
        if self.step % self.cfg.train.eval_every and self.step != self.cfg.run.steps:
            return {}
        self.model.eval()
        k = len(self.labels)
        confusion = torch.zeros(k, k, dtype=torch.long)
        loss_sum = 0.0
        size = max(self.cfg.train.batch_size, 32)
        for start in range(0, len(self.dev_set), size):
            batch = self.dev_set.collate(list(range(start, min(start + size, len(self.dev_set)))), self.device)
            with self.place.autocast():
                out = self.model(**batch)
            loss_sum += out.loss.float().item() * batch["labels"].numel()
            pairs = batch["labels"].cpu() * k + out.logits.float().argmax(-1).cpu()
            confusion += torch.bincount(pairs, minlength=k * k).reshape(k, k)
        accuracy, f1 = scores(confusion)
        self.confusion = {"step": self.step, "labels": self.labels, "matrix": confusion.tolist(),
                          "val_accuracy": accuracy, "val_f1": f1, "baseline_accuracy": self.baseline}
        atomic_write_text(self.run_dir / CONFUSION_FILE, json.dumps(self.confusion))
        self.model.train()
        return {"val_loss": loss_sum / max(len(self.dev_set), 1), "val_accuracy": accuracy, "val_f1": f1}

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
        """The first dev texts with the model's top labels, so a checkpoint shows what it does.

        A text the classifier cannot take (blank, say) is shown with why, never fails the run."""
        self.model.eval()
        lines = []
        try:
            for i in range(min(3, len(self.dev_texts))):
                text = self.dev_texts[i]
                truth = self.labels[int(self.dev_set.labels[i])]
                try:
                    guess = ", ".join(f"{lab} {p:.2f}" for lab, p in classify_text(self.model, self.tokenizer, text)[:3])
                except AigcError as exc:
                    guess = f"not classified: {exc}"
                lines.append(f"{text[:100]!r}\n  true {truth}; {guess}")
        finally:
            self.model.train()
        return "\n".join(lines) + "\n"

    def checkpoint_extras(self) -> dict[str, str]:
        extras = {SAMPLE_TEXT_FILE: self._sample_text()}
        if self.confusion is not None:
            extras[CONFUSION_FILE] = json.dumps(self.confusion)
        return extras

    def sample(self) -> Path:
        path = sample_path(self.run_dir, self.step, SAMPLE_TEXT_SUFFIX)
        atomic_write_text(path, self._sample_text())
        return path
