"""Symlinked run-directory members are refused, never followed: nothing is written outside the run."""

from __future__ import annotations

import shutil

import pytest
from helpers import TINY_GAN, merge, stop_after_step

from aigc_tui.cli import main
from aigc_tui.config import dump_toml, validate
from aigc_tui.runs import RunState, create_run
from aigc_tui.train.worker import build_trainer, run_worker


@pytest.fixture
def stopped_run(runs_dir):
    config = validate(merge(TINY_GAN, run={"steps": 40, "checkpoint_every": 0, "sample_every": 0}))
    run = create_run(runs_dir, dump_toml(config), config.name)
    trainer = build_trainer(run, lambda _m: None)
    stop_after_step(trainer, 2)
    assert trainer.run() is RunState.STOPPED
    return run


def _snapshot(folder):
    return sorted((p.relative_to(folder), p.read_bytes() if p.is_file() else b"") for p in folder.rglob("*"))


@pytest.mark.parametrize("member", ["checkpoints", "samples", "control", "log.txt", "metrics.jsonl", ".status.lock"])
def test_a_symlinked_member_is_refused_and_nothing_is_written_through_it(stopped_run, runs_dir, tmp_path, member,
                                                                          capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "meta.json").write_text('{"step": 1}')  # what pruning once deleted
    (outside / "keep.txt").write_text("precious")
    target = stopped_run.path / member
    if target.is_dir():
        shutil.copytree(target, outside / member, dirs_exist_ok=True)
        shutil.rmtree(target)
        target.symlink_to(outside / member, target_is_directory=True)
    else:
        if target.exists():
            (outside / member).write_bytes(target.read_bytes())
            target.unlink()
        else:
            (outside / member).write_text("")
        target.symlink_to(outside / member)
    before = _snapshot(outside)
    for argv in (["resume", stopped_run.id, "--detach"], ["resume", stopped_run.id]):
        assert main([*argv, "--runs-dir", str(runs_dir)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "is a symlink" in err[0] and member in err[0], err
    with pytest.raises(Exception, match="is a symlink"):
        run_worker(stopped_run)
    assert _snapshot(outside) == before
    assert stopped_run.status().state is RunState.STOPPED
