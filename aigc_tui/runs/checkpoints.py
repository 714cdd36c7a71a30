"""The checkpoint index: checkpoints/<name>/ each with meta.json; keep-last-K and keep-best."""

from __future__ import annotations

import json
import math
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aigc_tui.runs.layout import CHECKPOINTS_DIR, META_FILE, TRAINER_STATE_FILE, parse_step_name
from aigc_tui.runs.strict_json import as_float


@dataclass
class CheckpointInfo:
    path: Path
    name: str
    step: int
    time: float
    metrics: dict[str, float] = field(default_factory=dict)
    kind: str = ""
    reason: str = ""
    finite: bool = True  # the worker checked its weights were finite when it wrote them

    @property
    def run_dir(self) -> Path:
        return self.path.parent.parent

    @property
    def resumable(self) -> bool:
        return (self.path / TRAINER_STATE_FILE).is_file()

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())



def read_checkpoint(path: Path) -> CheckpointInfo | None:
    path = Path(path)
    try:
        meta: dict[str, Any] = json.loads((path / META_FILE).read_text())
    except (OSError, ValueError):
        return None
    return CheckpointInfo(
        path=path,
        name=path.name,
        step=int(meta.get("step", 0)),
        time=float(meta.get("time", 0.0)),
        metrics={k: f for k, v in meta.get("metrics", {}).items() if (f := as_float(v)) is not None},
        kind=str(meta.get("kind", "")),
        reason=str(meta.get("reason", "")),
        finite=meta.get("finite", True) is not False,
    )


def list_checkpoints(run_dir: Path) -> list[CheckpointInfo]:
    """Complete checkpoints of a run, oldest first (temp directories are never listed)."""
    folder = Path(run_dir) / CHECKPOINTS_DIR
    if not folder.is_dir():
        return []
    found = [read_checkpoint(p) for p in folder.iterdir()
             if not p.name.startswith(".") and not p.is_symlink() and p.is_dir()]
    return sorted((c for c in found if c is not None), key=lambda c: (c.step, c.time))


def newest_resumable(checkpoints: list[CheckpointInfo]) -> CheckpointInfo | None:
    """Where a worker starts by default: the newest checkpoint that holds trainer state."""
    resumable = [c for c in checkpoints if c.resumable]
    return resumable[-1] if resumable else None


def best_checkpoint(checkpoints: list[CheckpointInfo], metric: str, mode: str = "min") -> CheckpointInfo | None:
    scored = [c for c in checkpoints if c.finite and math.isfinite(c.metrics.get(metric, math.nan))]  # NaN ranks worst
    if not scored:
        return None
    pick = min if mode == "min" else max
    return pick(scored, key=lambda c: c.metrics[metric])


def written_by_us(ckpt: CheckpointInfo) -> bool:
    """A real folder named `step-N` whose meta.json says step N: the only kind pruning deletes."""
    return parse_step_name(ckpt.path.name) == ckpt.step and not ckpt.path.is_symlink()


def prune_checkpoints(run_dir: Path, keep_last: int, best_metric: str = "", mode: str = "min") -> list[Path]:
    """Delete all but the newest `keep_last`, the best by `best_metric` and the newest finite one.

    A metric that is NaN ranks worst; only checkpoint folders this program wrote inside the
    run's own (non-symlinked) checkpoints/ are ever deleted. Returns what went.
    """
    if (Path(run_dir) / CHECKPOINTS_DIR).is_symlink():
        return []
    checkpoints = list_checkpoints(run_dir)
    keep = {c.path for c in checkpoints[-keep_last:]} if keep_last > 0 else {c.path for c in checkpoints}
    finite = [c for c in checkpoints if c.finite]
    if finite:
        keep.add(finite[-1].path)
    if best_metric:
        best = best_checkpoint(checkpoints, best_metric, mode)
        if best is not None:
            keep.add(best.path)
    if len(keep) < len(checkpoints):  # a queued fork or fine-tune of one of them still has to load it
        from aigc_tui.runs.dependents import waiting_children

        needed = {parent for _, _, parent in waiting_children(Path(run_dir).parent, Path(run_dir))}
        keep |= {c.path for c in checkpoints if c.path.resolve() in needed}
    removed = []
    for ckpt in checkpoints:
        if ckpt.path not in keep and written_by_us(ckpt):
            # out of sight first (one rename), then delete: a kill mid-delete leaves a `.tmp`
            # leftover the next worker removes, never a listed checkpoint with half its files
            trash = ckpt.path.with_name(f".{ckpt.path.name}.{os.getpid()}.pruned.tmp")
            try:
                os.replace(ckpt.path, trash)
            except OSError:
                continue
            shutil.rmtree(trash, ignore_errors=True)
            removed.append(ckpt.path)
    return removed


SUPERSEDED_PREFIX = ".superseded-"


def set_aside_after(run_dir: Path, step: int, stamp: str) -> tuple[str, list[str]]:
    """Move a run's checkpoints after `step` into checkpoints/.superseded-<stamp>/ (never listed, never pruned).

    A resume from an earlier checkpoint starts a new timeline: the later checkpoints belong to the one it
    replaces and must not stay the run's "latest" (sample, Generate, fork and resume would use them) nor push
    the new timeline's checkpoints out of keep_last. Returns the folder (relative to the run) and the names moved.
    """
    later = [c for c in list_checkpoints(run_dir) if c.step > step]
    if not later:
        return "", []
    aside = Path(run_dir) / CHECKPOINTS_DIR / f"{SUPERSEDED_PREFIX}{stamp}"
    aside.mkdir(exist_ok=True)
    for ckpt in later:
        os.replace(ckpt.path, aside / ckpt.path.name)
    return f"{CHECKPOINTS_DIR}/{aside.name}", [c.name for c in later]


@dataclass
class SetAside:
    """A checkpoints/.superseded-<stamp>/ folder: the checkpoints a `resume --from` set aside."""

    path: Path
    names: list[str]
    size: int

    @property
    def run_dir(self) -> Path:
        return self.path.parent.parent


def set_aside(run_dir: Path) -> list[SetAside]:
    """A run's superseded folders, oldest first: never listed as checkpoints, still on disk until deleted."""
    folder = Path(run_dir) / CHECKPOINTS_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob(f"{SUPERSEDED_PREFIX}*")):
        if path.is_dir() and not path.is_symlink():
            names = sorted(p.name for p in path.iterdir() if p.is_dir())
            found.append(SetAside(path, names, sum(p.stat().st_size for p in path.rglob("*") if p.is_file())))
    return found
