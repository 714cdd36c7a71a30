"""Checkpoint pruning keeps what matters; JSON is strict."""

from __future__ import annotations

import json
import math
from pathlib import Path

from aigc_tui.runs.checkpoints import best_checkpoint, list_checkpoints, prune_checkpoints
from aigc_tui.runs.strict_json import dumps


def _ckpt(run: Path, step: int, finite: bool = True, **metrics: float) -> Path:
    folder = run / "checkpoints" / f"step-{step:08d}"
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text(dumps({"step": step, "time": step, "metrics": metrics, "finite": finite}))
    return folder


def test_strict_json_writes_no_bare_nan():
    text = dumps({"a": math.nan, "b": [math.inf, -math.inf, 1.5]})
    assert json.loads(text) == {"a": "nan", "b": ["inf", "-inf", 1.5]}


def test_nan_ranks_worst_for_keep_best(tmp_path):
    _ckpt(tmp_path, 1, loss=math.nan)
    _ckpt(tmp_path, 2, loss=3.0)
    _ckpt(tmp_path, 3, loss=math.inf)
    assert best_checkpoint(list_checkpoints(tmp_path), "loss", "min").step == 2
    assert best_checkpoint(list_checkpoints(tmp_path), "loss", "max").step == 2


def test_pruning_keeps_the_newest_finite_checkpoint(tmp_path):
    for step in (1, 2):
        _ckpt(tmp_path, step)
    for step in (3, 4):
        _ckpt(tmp_path, step, finite=False)  # e.g. written by an older version
    prune_checkpoints(tmp_path, keep_last=1)
    assert [c.step for c in list_checkpoints(tmp_path)] == [2, 4]


def test_pruning_deletes_only_folders_it_wrote(tmp_path):
    for step in (1, 2, 3):
        _ckpt(tmp_path, step)
    mine = tmp_path / "checkpoints" / "my-export"
    mine.mkdir()
    (mine / "meta.json").write_text(json.dumps({"step": 0}))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "meta.json").write_text(json.dumps({"step": 0}))
    (tmp_path / "checkpoints" / "step-00000000").symlink_to(outside)
    prune_checkpoints(tmp_path, keep_last=1)
    assert mine.is_dir() and outside.is_dir() and (outside / "meta.json").is_file()
    assert [c.step for c in list_checkpoints(tmp_path) if c.name.startswith("step-")] == [3]


def test_pruning_keeps_a_checkpoint_a_queued_fork_still_has_to_load(tmp_path):
    """tester5 F8: keep_last must not delete the parent checkpoint of a queued fork (it would fail on start)."""
    import os

    from aigc_tui.runs.status import RunStatus, mark_queued

    parent = tmp_path / "runs" / "parent"
    for step in (1, 2, 3):
        _ckpt(parent, step)
    child = tmp_path / "runs" / "child"
    child.mkdir()
    RunStatus(parent={"checkpoint": str(parent / "checkpoints" / "step-00000001"), "how": "fork"}).write(child)
    mark_queued(child, os.getpid())  # this live process stands in for the queued worker
    prune_checkpoints(parent, keep_last=1)
    assert [c.step for c in list_checkpoints(parent)] == [1, 3]
