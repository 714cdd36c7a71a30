"""Labelled text: the built-in docstrings task, user files, the stratified dev split."""

from __future__ import annotations

from collections import Counter

import pytest

from aigc_tui.data.docstrings import stdlib_docstrings
from aigc_tui.data.labelled import Examples, load_examples, majority_baseline, stratified_split
from aigc_tui.errors import DataError


def test_builtin_docstrings_are_real_labelled_text_and_deterministic():
    pairs = stdlib_docstrings()
    labels = Counter(label for _, label in pairs)
    assert len(pairs) > 2500 and len(labels) >= 15
    assert {"asyncio", "email", "logging", "xml", "http"} <= set(labels)
    assert all(len(text) >= 40 for text, _ in pairs)
    assert len({text for text, _ in pairs}) == len(pairs)  # no text carries two labels
    stdlib_docstrings.cache_clear()
    assert stdlib_docstrings() == pairs


def test_stratified_split_holds_out_each_label():
    examples = Examples([f"t{i}" for i in range(30)], ["a"] * 20 + ["b"] * 10)
    train, dev = stratified_split(examples, 0.2, seed=1)
    assert Counter(dev.labels) == {"a": 4, "b": 2}
    assert not set(train.texts) & set(dev.texts) and len(train) + len(dev) == 30
    assert stratified_split(examples, 0.2, seed=1)[1].texts == dev.texts
    assert majority_baseline(train, dev) == ("a", 4 / 6)


def test_label_subset_and_cap(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(f'{{"text": "x{i}", "label": {i % 3}}}' for i in range(30)))
    examples = load_examples(f"labelled:{path}", ["0", "1"], max_per_label=4)
    assert examples.counts() == {"0": 4, "1": 4}
    with pytest.raises(DataError, match="data.labels: 7 not in"):
        load_examples(f"labelled:{path}", ["7", "1"])


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_a_file_saved_with_a_byte_order_mark_reads_like_one_without(tmp_path, suffix):
    """Excel's "CSV UTF-8" and pandas' utf-8-sig start with U+FEFF; the header must still read `text`."""
    rows = ("text,label\n" + "".join(f"good {i},pos\nbad {i},neg\n" for i in range(3)) if suffix == "csv"
            else "".join(f'{{"text": "good {i}", "label": "pos"}}\n{{"text": "bad {i}", "label": "neg"}}\n'
                         for i in range(3)))
    path = tmp_path / f"bom.{suffix}"
    path.write_text(rows, encoding="utf-8-sig")
    examples = load_examples(f"labelled:{path}", None)
    assert examples.counts() == {"pos": 3, "neg": 3}
    assert examples.texts[0] == "good 0"
