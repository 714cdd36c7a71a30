"""Labelled text for classification: the built-in docstrings task or the user's .jsonl/.csv file.

Pure Python (no torch), so a bad file is refused at launch, before a run directory exists:
every problem is one line naming the file and the line.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from aigc_tui.errors import DataError

BUILTIN_DOCSTRINGS = "builtin:stdlib-docstrings"
LABELLED_SOURCES = f"{BUILTIN_DOCSTRINGS} or labelled:PATH (.jsonl with text/label, or .csv)"


@dataclass
class Examples:
    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def counts(self) -> Counter[str]:
        return Counter(self.labels)


def _label_text(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (str, int)):
        return str(value).strip() or None
    return None


def _read_jsonl(path: Path) -> Examples:
    texts, labels = [], []
    with open(path, encoding="utf-8-sig", errors="replace") as handle:  # utf-8-sig: Excel's BOM
        for n, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise DataError(f"{path}:{n}: not valid JSON") from None
            if not isinstance(record, dict):
                raise DataError(f"{path}:{n}: a row must be an object with 'text' and 'label'")
            text, label = record.get("text"), _label_text(record.get("label"))
            if not isinstance(text, str) or not text.strip():
                raise DataError(f"{path}:{n}: 'text' is missing or not a non-empty string")
            if label is None:
                raise DataError(f"{path}:{n}: 'label' is missing or not a non-empty string or integer")
            texts.append(text)
            labels.append(label)
    return Examples(texts, labels)


def _read_csv(path: Path) -> Examples:
    texts, labels = [], []
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:  # BOM-safe
        reader = csv.reader(handle)
        header = [h.strip().lower() for h in next(reader, [])]
        if "text" not in header or "label" not in header:
            raise DataError(f"{path}:1: the header must name a 'text' and a 'label' column (it has: {', '.join(header) or 'nothing'})")
        ti, li = header.index("text"), header.index("label")
        for row in reader:
            n = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise DataError(f"{path}:{n}: {len(row)} columns where the header has {len(header)}")
            if not row[ti].strip():
                raise DataError(f"{path}:{n}: 'text' is empty")
            if not row[li].strip():
                raise DataError(f"{path}:{n}: 'label' is empty")
            texts.append(row[ti])
            labels.append(row[li].strip())
    return Examples(texts, labels)


def read_labelled_file(path: Path) -> Examples:
    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"labelled data {path} does not exist")
    if path.suffix.lower() not in (".jsonl", ".csv"):
        raise DataError(f"labelled data {path} must be .jsonl (text, label per line) or .csv (text,label header)")
    examples = _read_jsonl(path) if path.suffix.lower() == ".jsonl" else _read_csv(path)
    if len(examples) < 2:
        raise DataError(f"labelled data {path} holds {len(examples)} example(s); it needs at least 2")
    return examples


def load_examples(source: str, labels: list[str] | None = None, max_per_label: int = 0) -> Examples:
    """The examples of a source, optionally only some labels and at most N of each (first ones)."""
    if source == BUILTIN_DOCSTRINGS:
        from aigc_tui.data.docstrings import stdlib_docstrings

        pairs = stdlib_docstrings()
        examples = Examples([t for t, _ in pairs], [lab for _, lab in pairs])
    elif source.startswith("labelled:"):
        examples = read_labelled_file(Path(source.removeprefix("labelled:")))
    else:
        raise DataError(f"unknown labelled source '{source}'; use {LABELLED_SOURCES}")
    if labels:
        unknown = sorted(set(labels) - set(examples.labels))
        if unknown:
            have = ", ".join(sorted(set(examples.labels))[:30])
            raise DataError(f"data.labels: {', '.join(unknown)} not in {source} (it has: {have})")
        keep = set(labels)
        examples = Examples(*_unzip([(t, lab) for t, lab in zip(examples.texts, examples.labels, strict=True) if lab in keep]))
    if max_per_label:
        taken: Counter[str] = Counter()
        pairs = []
        for t, lab in zip(examples.texts, examples.labels, strict=True):
            if taken[lab] < max_per_label:
                taken[lab] += 1
                pairs.append((t, lab))
        examples = Examples(*_unzip(pairs))
    if len(examples.counts()) < 2:
        raise DataError(f"{source} has {len(examples.counts())} label(s); classification needs at least 2")
    return examples


def _unzip(pairs: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    return [t for t, _ in pairs], [lab for _, lab in pairs]


def stratified_split(examples: Examples, fraction: float, seed: int) -> tuple[Examples, Examples]:
    """Hold out `fraction` of each label (at least one where a label has two or more), deterministically."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, lab in enumerate(examples.labels):
        by_label[lab].append(i)
    rng = random.Random(seed)
    dev: set[int] = set()
    for lab in sorted(by_label):
        idx = by_label[lab]
        rng.shuffle(idx)
        take = min(len(idx) - 1, max(1, round(len(idx) * fraction))) if len(idx) > 1 else 0
        dev.update(idx[:take])
    train = [i for i in range(len(examples)) if i not in dev]
    held = sorted(dev)
    pick = lambda ids: Examples([examples.texts[i] for i in ids], [examples.labels[i] for i in ids])  # noqa: E731
    return pick(train), pick(held)


def majority_baseline(train: Examples, dev: Examples) -> tuple[str, float]:
    """The label seen most in training, and the dev accuracy of always answering it."""
    label = train.counts().most_common(1)[0][0]
    return label, (sum(lab == label for lab in dev.labels) / len(dev)) if len(dev) else 0.0
