"""The classifier's data: train and dev examples, label ids, tokenized once, batches by step."""

from __future__ import annotations

from pathlib import Path

import torch

from aigc_tui.config.mlm import ClassifyConfig
from aigc_tui.data.labelled import Examples, load_examples, read_labelled_file, stratified_split
from aigc_tui.errors import DataError


def train_and_dev(cfg: ClassifyConfig) -> tuple[Examples, Examples, str]:
    """Training and dev examples, and where the dev set came from (for the log)."""
    d = cfg.data
    examples = load_examples(d.source, d.labels, d.max_per_label)
    if not d.dev:
        train, dev = stratified_split(examples, d.dev_fraction, cfg.run.seed)
        return train, dev, f"a stratified {d.dev_fraction:.0%} of each label"
    dev = read_labelled_file(Path(d.dev.removeprefix("labelled:")))
    unknown = sorted(set(dev.labels) - set(examples.labels))
    if unknown:
        raise DataError(f"data.dev has label(s) the training data never shows: {', '.join(unknown[:10])}")
    return examples, dev, d.dev


class EncodedSet:
    """Token ids of every text (cut to max_length) and label ids; batches padded to their longest."""

    def __init__(self, examples: Examples, tokenizer, label_ids: dict[str, int], max_length: int) -> None:
        enc = tokenizer(examples.texts, truncation=True, max_length=max_length)["input_ids"]
        self.ids = [torch.tensor(x, dtype=torch.long) for x in enc]
        self.labels = torch.tensor([label_ids[lab] for lab in examples.labels], dtype=torch.long)
        self.pad_id = tokenizer.pad_token_id

    def __len__(self) -> int:
        return len(self.ids)

    def collate(self, index: list[int], device: torch.device) -> dict[str, torch.Tensor]:
        rows = [self.ids[i] for i in index]
        ids = torch.nn.utils.rnn.pad_sequence(rows, batch_first=True, padding_value=self.pad_id)
        mask = torch.nn.utils.rnn.pad_sequence([torch.ones_like(r) for r in rows], batch_first=True)
        return {"input_ids": ids.to(device), "attention_mask": mask.to(device), "labels": self.labels[index].to(device)}


def step_indices(step: int, batch: int, n: int, seed: int) -> list[int]:
    """The examples of a step: epochs are seeded permutations, so the order is a function of the step."""
    out: list[int] = []
    pos = step * batch
    while len(out) < batch:
        epoch, offset = divmod(pos, n)
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1_000_003 + epoch)).tolist()
        take = perm[offset : offset + batch - len(out)]
        out.extend(take)
        pos += len(take)
    return out


def scores(confusion: torch.Tensor) -> tuple[float, float]:
    """Accuracy and macro F1 (over the labels the dev set holds) from a confusion matrix [true, pred]."""
    confusion = confusion.double()
    total = confusion.sum().item()
    accuracy = confusion.diag().sum().item() / total if total else 0.0
    tp = confusion.diag()
    support = confusion.sum(1)
    predicted = confusion.sum(0)
    present = support > 0
    f1 = torch.where(support + predicted > 0, 2 * tp / (support + predicted).clamp(min=1), torch.zeros_like(tp))
    return accuracy, f1[present].mean().item() if present.any() else 0.0
