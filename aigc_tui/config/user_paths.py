"""User paths in a recipe made absolute against the user's cwd, before anything is detached.

A detached worker runs with its run directory as cwd, so a relative `imagefolder:imgs`,
`text:corpus.md`, `labelled:mood.csv` (`data.source` or a classifier's `data.dev`),
`data.root` or `model.pretrained` typed by the user would be looked up
in the wrong place. Every launch (CLI and app) resolves them first, and the run's
config.toml stores the absolute paths.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PREFIXES = ("imagefolder:", "text:", "labelled:")


def _absolute(text: str, base: Path) -> str:
    return str(Path(base, Path(text).expanduser()).absolute()) if text else text


def _looks_like_path(name: str, base: Path) -> bool:
    """`model.pretrained` is a path when it reads like one or exists; else a hub id (`gpt2`)."""
    return name.startswith(("/", ".", "~")) or Path(base, name).exists()


def absolutize(data: dict[str, Any], base: Path | None = None) -> dict[str, Any]:
    """The raw recipe dict with every user path absolute (a new dict; `data` is not changed)."""
    base = Path(base or os.getcwd())
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    section = out.get("data")
    if isinstance(section, dict):
        for key in ("source", "dev"):
            source = section.get(key)
            if isinstance(source, str):
                for prefix in PREFIXES:
                    if source.startswith(prefix) and source != prefix:
                        section[key] = prefix + _absolute(source.removeprefix(prefix), base)
        if isinstance(section.get("root"), str):
            section["root"] = _absolute(section["root"], base)
    model = out.get("model")
    if isinstance(model, dict):
        pretrained = model.get("pretrained")
        if isinstance(pretrained, str) and pretrained and _looks_like_path(pretrained, base):
            model["pretrained"] = _absolute(pretrained, base)
    return out
