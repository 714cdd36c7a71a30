"""`aigc-tui fork CHECKPOINT`: a new run from a checkpoint's config, with or without its weights."""

from __future__ import annotations

import argparse

from aigc_tui.commands.train_cmd import cuda_count, run_foreground
from aigc_tui.config.io import once_each
from aigc_tui.launch import spawn_worker
from aigc_tui.launch.fork import ForkPlan, describe, fork_run
from aigc_tui.launch.spawn import claim_run
from aigc_tui.paths import runs_root
from aigc_tui.runs.store import find_checkpoint


def fork(args: argparse.Namespace) -> int:
    root = runs_root(args.runs_dir)
    ckpt = find_checkpoint(root, args.checkpoint, prefer="latest")
    plan = ForkPlan(args.weights, args.keep_step, args.keep_optimizer, once_each(list(args.overrides)), args.name)
    run, _config = fork_run(root, ckpt, plan, cuda_count)
    print(f"forked {ckpt.run_dir.name}/{ckpt.name} into {run.id}: {describe(plan)}\n{run.path}", flush=True)
    if args.detach:
        pid = spawn_worker(run, new=True)
        print(f"started {run.id} (pid {pid})")
        return 0
    return run_foreground(run, lock=claim_run(run, new=True))
