"""Prompt history for Generate: `<app home>/prompt_history.jsonl`, one JSON object a line.

Each entry keeps the prompt with the parameters, model and stop strings it ran with, so
recalling it restores them; only a request the helper accepted is kept, and every line is
strict JSON. Reading drops duplicates (the newest use of a prompt wins) and skips damaged
lines. No torch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aigc_tui.paths import app_home

KEEP_LINES = 1000  # the file is rewritten without duplicates when it grows past this


@dataclass(frozen=True)
class HistoryEntry:
    prompt: str
    params: dict[str, Any] = field(default_factory=dict)
    model: str = ""
    stops: str = ""  # as typed in the stop-strings field


def history_path() -> Path:
    return app_home() / "prompt_history.jsonl"


def _read_all() -> list[HistoryEntry]:
    try:
        lines = history_path().read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            data = json.loads(line, parse_constant=_not_a_setting)  # an old line with Infinity is skipped
            prompt = data["prompt"]
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(prompt, str):
            params = data.get("params") if isinstance(data.get("params"), dict) else {}
            out.append(HistoryEntry(prompt, params, str(data.get("model") or ""), str(data.get("stops") or "")))
    return out


def _not_a_setting(name: str) -> Any:
    raise ValueError(f"{name} is not a setting")


def _unique(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    seen: set[str] = set()
    out = []
    for entry in reversed(entries):
        if entry.prompt not in seen:
            seen.add(entry.prompt)
            out.append(entry)
    return out[::-1]


def load_history(limit: int = 200) -> list[HistoryEntry]:
    """Distinct prompts, oldest first, each with the parameters of its newest use."""
    return _unique(_read_all())[-limit:]


def _line(entry: HistoryEntry) -> str:
    return json.dumps({"prompt": entry.prompt, "params": entry.params, "model": entry.model, "stops": entry.stops},
                      allow_nan=False) + "\n"


def add_history(prompt: str, params: dict[str, Any] | None = None, model: str = "", stops: str = "") -> None:
    if not prompt.strip():
        return
    try:
        line = _line(HistoryEntry(prompt, params or {}, model, stops))
    except ValueError:  # NaN/inf: never a setting the helper accepts; the file stays strict JSON
        return
    path = history_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(line)
    entries = _read_all()
    if len(entries) > KEEP_LINES:  # compact: the file stays small after months of use
        from aigc_tui.runs.atomic import atomic_write_text

        kept = _unique(entries)[-KEEP_LINES // 2:]
        atomic_write_text(path, "".join(_line(e) for e in kept))
