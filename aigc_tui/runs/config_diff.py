"""The keys two runs' configs differ in, dotted (`train.lr_g: 0.0002 → 0.001`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aigc_tui.runs.store import Run

UNSET = object()  # a key one config has and the other does not


@dataclass(frozen=True)
class Change:
    key: str
    a: Any
    b: Any

    def line(self) -> str:
        return f"{self.key}: {show(self.a)} → {show(self.b)}"


def flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{"train": {"lr": 1}}` -> `{"train.lr": 1}`; lists and scalars are leaves."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, f"{dotted}."))
        else:
            out[dotted] = value
    return out


def show(value: Any) -> str:
    """A value as TOML-ish text: strings quoted, lists in brackets, a missing key as `(unset)`."""
    if value is UNSET:
        return "(unset)"
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def diff_configs(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """Every dotted key whose value differs (or exists on one side only), sorted by key."""
    fa, fb = flatten(a), flatten(b)
    changes = []
    for key in sorted(fa.keys() | fb.keys()):
        va, vb = fa.get(key, UNSET), fb.get(key, UNSET)
        if va is UNSET or vb is UNSET or va != vb or type(va) is not type(vb):
            changes.append(Change(key, va, vb))
    return changes


def diff_runs(a: Run, b: Run) -> list[Change]:
    return diff_configs(a.config(), b.config())
