"""Parse complete metrics.jsonl lines fast (msgspec), tolerating corrupt lines."""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np

_DECODER = msgspec.json.Decoder()


def _valid(record: Any) -> bool:
    step = record.get("step") if isinstance(record, dict) else None
    return isinstance(step, int) and not isinstance(step, bool)


def parse_lines(data: bytes, base: int = 0) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Records of `data` (complete lines only) and each record's end byte offset (+ base).

    A line that is not a JSON object with an int `step` is skipped, never fatal.
    """
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    ends = np.cumsum(np.fromiter((len(line) + 1 for line in lines), np.int64, len(lines))) + base
    present = [i for i, line in enumerate(lines) if line.strip()]
    try:
        decoded = _DECODER.decode_lines(data)
        if len(decoded) != len(present):
            raise msgspec.DecodeError("line count mismatch")
        pairs = zip(decoded, present, strict=True)
    except msgspec.DecodeError:  # a corrupt line somewhere: one line at a time
        pairs = ((_decode_one(lines[i]), i) for i in present)
    records, where = [], []
    for record, i in pairs:
        if _valid(record):
            records.append(record)
            where.append(i)
    return records, ends[np.asarray(where, np.int64)] if where else np.zeros(0, np.int64)


def _decode_one(line: bytes) -> Any:
    try:
        return _DECODER.decode(line)
    except msgspec.DecodeError:
        return None


def parse_one(line: bytes) -> dict[str, Any] | None:
    record = _decode_one(line.strip()) if line.strip() else None
    return record if _valid(record) else None
