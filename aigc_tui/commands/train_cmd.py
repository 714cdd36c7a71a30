"""`aigc-tui train` and `aigc-tui resume`."""

from __future__ import annotations

import argparse
from pathlib import Path

from aigc_tui.config import load_recipe
from aigc_tui.errors import ConfigError
from aigc_tui.launch import check_resume, new_run, resume_worker, spawn_worker
from aigc_tui.paths import find_recipe, recipe_names, runs_root
from aigc_tui.runs import RunState, find_run
from aigc_tui.runs.store import Run, find_checkpoint


def cuda_count() -> int:
    """GPUs torch can use here; imported only when a recipe asks for CUDA."""
    from aigc_tui.models.device import cuda_device_count

    return cuda_device_count()


def recipe_path(ref: str) -> Path:
    """A recipe file, or a recipe name among the user's and the shipped ones."""
    path = find_recipe(ref)
    if not path.exists():
        raise ConfigError(f"recipe {ref} does not exist", hint=f"recipes by name: {', '.join(recipe_names())}")
    return path


def train(args: argparse.Namespace) -> int:
    overrides = list(args.overrides)
    if args.device:
        overrides.append(f"run.device={args.device!r}".replace("'", '"'))
    if args.name:
        overrides.append(f'name="{args.name}"')
    config = load_recipe(recipe_path(args.config), overrides)
    run = new_run(runs_root(args.runs_dir), config, cuda_count)  # checks data and device first
    if args.detach:
        pid = spawn_worker(run)
        print(f"started {run.id} (pid {pid})\n{run.path}")
        return 0
    print(f"run {run.id}\n{run.path}", flush=True)
    return run_foreground(run)


def run_foreground(run: Run, resume: Path | None = None) -> int:
    from aigc_tui.train.worker import run_worker

    end = run_worker(run, resume, echo=True)
    status = run.status()
    if end is RunState.FAILED:
        print(f"error: run failed: {status.error}")
        return 1
    print(f"{end.value} at step {status.step}/{status.total_steps}: {run.path}")
    return 0


def resume(args: argparse.Namespace) -> int:
    root = runs_root(args.runs_dir)
    run = find_run(root, args.run)
    checkpoint = find_checkpoint(root, f"{run.path}@{args.checkpoint}") if args.checkpoint else None
    if args.detach:
        pid = resume_worker(run, checkpoint, cuda_count)  # the rule the app's resume uses too
        print(f"resumed {run.id} (pid {pid})")
        return 0
    check_resume(run, checkpoint, cuda_count)
    return run_foreground(run, checkpoint.path if checkpoint else None)
