"""Prompt history for Generate: `<app home>/prompt_history.jsonl`, one JSON object a line.

Each entry keeps the prompt with the parameters it ran with, so recalling it restores both.
Reading drops duplicates (the newest use of a prompt wins) and skips damaged lines. No torch.
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
            data = json.loads(line)
            prompt = data["prompt"]
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(prompt, str):
            params = data.get("params") if isinstance(data.get("params"), dict) else {}
            out.append(HistoryEntry(prompt, params, str(data.get("model") or "")))
    return out


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


def add_history(prompt: str, params: dict[str, Any] | None = None, model: str = "") -> None:
    if not prompt.strip():
        return
    path = history_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"prompt": prompt, "params": params or {}, "model": model}) + "\n")
    entries = _read_all()
    if len(entries) > KEEP_LINES:  # compact: the file stays small after months of use
        from aigc_tui.runs.atomic import atomic_write_text

        kept = _unique(entries)[-KEEP_LINES // 2:]
        atomic_write_text(path, "".join(json.dumps({"prompt": e.prompt, "params": e.params, "model": e.model}) + "\n"
                                        for e in kept))
