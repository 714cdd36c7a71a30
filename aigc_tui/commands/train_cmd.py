"""`aigc-tui train` and `aigc-tui resume`."""

from __future__ import annotations

import argparse
from pathlib import Path

from aigc_tui.config import dump_toml, load_recipe
from aigc_tui.errors import AigcError
from aigc_tui.launch import spawn_worker
from aigc_tui.paths import runs_root
from aigc_tui.runs import RunState, create_run, find_run
from aigc_tui.runs.store import Run, find_checkpoint


def check_device(device: str) -> None:
    """Refuse a CUDA device on a machine without one before anything is created."""
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise AigcError(f"device '{device}' asked for, but CUDA is not available here; use --device cpu")
        index = int(device.split(":")[1]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            raise AigcError(f"device '{device}' does not exist: this machine has {torch.cuda.device_count()} GPU(s)")


def train(args: argparse.Namespace) -> int:
    overrides = list(args.overrides)
    if args.device:
        overrides.append(f"run.device={args.device!r}".replace("'", '"'))
    if args.name:
        overrides.append(f'name="{args.name}"')
    config = load_recipe(Path(args.config), overrides)
    check_device(config.run.device)
    run = create_run(runs_root(args.runs_dir), dump_toml(config), config.name)
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
    status = run.status()
    if status.state.is_live:
        raise AigcError(f"run {run.id} is {status.state.value} (pid {status.pid}); stop it before resuming")
    if checkpoint is not None and not checkpoint.resumable:
        raise AigcError(f"checkpoint {checkpoint.name} holds weights only; it cannot resume training")
    if checkpoint is None and not any(c.resumable for c in run.checkpoints()):
        raise AigcError(f"run {run.id} has no checkpoint to resume from")
    if status.step >= status.total_steps and status.state is RunState.FINISHED:
        raise AigcError(
            f"run {run.id} already finished all {status.total_steps} steps; "
            "train a new run (or fork its checkpoint) to go further"
        )
    resume_path = checkpoint.path if checkpoint else None
    if args.detach:
        pid = spawn_worker(run, resume=resume_path)
        print(f"resumed {run.id} (pid {pid})")
        return 0
    return run_foreground(run, resume_path)
