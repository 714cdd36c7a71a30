"""`aigc-tui train` and `aigc-tui resume`."""

from __future__ import annotations

import argparse
import json
import time
import tomllib
from pathlib import Path

from aigc_tui.config import (
    RecipeConfig,
    load_recipe,
    with_absolute_paths,
)
from aigc_tui.config.io import once_each
from aigc_tui.errors import ConfigError, RunBusy, RunNotFound, StorageError
from aigc_tui.launch import check_resume, new_run, restart_note, resume_worker, spawn_worker
from aigc_tui.launch.extend import extended_config, write_extended
from aigc_tui.launch.spawn import claim_run
from aigc_tui.launch.start import with_folder_channels
from aigc_tui.names import slug
from aigc_tui.paths import find_recipe, recipe_names, runs_root
from aigc_tui.runs import RunState, find_run
from aigc_tui.runs.layout import CONFIG_FILE, cli_ref, is_run_dir
from aigc_tui.runs.lock import RunLock
from aigc_tui.runs.queue import request_for
from aigc_tui.runs.status import worker_words
from aigc_tui.runs.store import Run, checkpoint_of_run


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


SCALE_KEYS = {"gpus": "run.gpus", "nproc": "run.nproc", "slots": "run.slots", "nnodes": "run.nnodes",
              "rdzv_endpoint": "run.rdzv_endpoint", "max_restarts": "run.max_restarts"}
JOIN_WAIT_S = 300.0


def scale_overrides(args: argparse.Namespace) -> list[str]:
    """`--gpus 0,1 --nproc 2 ...` as recipe overrides (strings quoted as TOML)."""
    out = []
    for attr, key in SCALE_KEYS.items():
        value = getattr(args, attr, None)
        if value is not None:
            out.append(f"{key}={json.dumps(value, ensure_ascii=False)}")
    return out


def check_run_id(run_id: str | None) -> None:
    """An exact --run-id names one folder under the runs root: it was quietly made safe
    (`../../x` became `x`, `a b` became `a-b`), so the run landed under another id."""
    if run_id is not None and slug(run_id, limit=len(run_id)) != run_id:
        suggestion = slug(run_id, limit=max(1, len(run_id)), fallback="")
        raise ConfigError(f"--run-id {run_id!r} is not a run id: use letters, digits, '_', '.' and '-' "
                          "(no '/' or '..', no leading '.' or '-')" + (f", e.g. {suggestion}" if suggestion else ""))


def train(args: argparse.Namespace) -> int:
    check_run_id(args.run_id)
    overrides = once_each(list(args.overrides))
    if args.device:
        overrides.append(f"run.device={json.dumps(args.device, ensure_ascii=False)}")  # a JSON string is a TOML string
    if args.name is not None:
        overrides.append(f"name={json.dumps(args.name, ensure_ascii=False)}")
    config = load_recipe(recipe_path(args.config), overrides + scale_overrides(args))
    request_for(config.run.gpus, config.run.nproc, config.run.slots)  # the GPUs named exist here
    node_rank = args.node_rank or 0
    if not 0 <= node_rank < config.run.nnodes:
        raise ConfigError(f"--node-rank {node_rank} is outside 0..{config.run.nnodes - 1} (--nnodes {config.run.nnodes})")
    if node_rank and not args.run_id:
        raise ConfigError("--node-rank > 0 joins a run: give every node the same --run-id")
    root = runs_root(args.runs_dir)
    new = not node_rank and not (args.run_id and is_run_dir(root / args.run_id))  # this launcher creates it
    run = join_run(root, args.run_id) if node_rank else open_run(root, config, args.run_id)
    if args.detach:
        pid = spawn_worker(run, node_rank=node_rank, new=new)
        print(f"started {run.id} (pid {pid})" + (f" as node {node_rank}" if node_rank else "") + f"\n{run.path}")
        return 0
    print(f"run {run.id}\n{run.path}", flush=True)
    return run_foreground(run, node_rank=node_rank, lock=claim_run(run, new=True) if new else None)


def open_run(root: Path, config: RecipeConfig, run_id: str | None) -> Run:
    """A new run; with --run-id an existing one that is not live is continued, but only as node 0
    restarting a multi-node run with the run's own recipe (`check_restart`)."""
    if run_id and is_run_dir(root / run_id):
        run = Run((root / run_id).resolve())
        check_restart(run, config)
        status = run.status()
        if status.state.is_live:
            raise RunBusy(f"run {run.id} is {status.state.value} ({worker_words(status)}); stop it first")
        if run.checkpoints():
            check_resume(run, None, cuda_count)
        return run
    return new_run(root, config, cuda_count, run_id=run_id, notify=print)  # checks data and device first


RESTART_FREE = {"run.rdzv_endpoint", "run.max_restarts"}  # a restarted multi-node run may change these


def check_restart(run: Run, config: RecipeConfig) -> None:
    """`train RECIPE --run-id EXISTING` trains the existing run from its own config.toml, so it is
    refused (one line) unless it restarts node 0 of a multi-node run with that same recipe: a
    pasted wrong id must not train somebody else's run while ignoring the recipe and --set values."""
    try:
        saved = tomllib.loads((run.path / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        saved = {}
    what = f"run {run.id} already exists (a {saved.get('kind', 'unreadable')} run)"
    hint = f"continue it with `aigc-tui resume {cli_ref(run.path)}`, or give a new --run-id"
    if config.run.nnodes <= 1:
        raise ConfigError(what, hint=hint)
    if saved.get("kind") != config.kind:
        raise ConfigError(f"{what}: this recipe's kind is {config.kind}", hint=hint)
    given = with_folder_channels(with_absolute_paths(config)).model_dump(mode="json", exclude_none=True)
    differ = [key for key in _differences(saved, given) if key not in RESTART_FREE]
    if differ:
        shown = ", ".join(differ[:3]) + (f" and {len(differ) - 3} more" if len(differ) > 3 else "")
        raise ConfigError(f"{what}: this recipe differs from its config.toml in {shown}", hint=hint)


def _differences(saved: dict, given: dict, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two parsed configs."""
    out = []
    for key in sorted(set(saved) | set(given), key=str):
        a, b = saved.get(key), given.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            out.append(f"{prefix}{key}")
    return out


def join_run(root: Path, run_id: str) -> Run:
    """Node K > 0: the run node 0 creates on the shared filesystem (waits for it to appear)."""
    folder = root / run_id
    deadline = time.monotonic() + JOIN_WAIT_S
    while not (is_run_dir(folder) and (folder / CONFIG_FILE).is_file()):
        if time.monotonic() > deadline:
            raise RunNotFound(f"run {run_id} did not appear under {root} (is node 0 started, on a shared filesystem?)")
        time.sleep(0.5)
    return Run(folder.resolve())


INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C (128 + SIGINT)


def run_foreground(run: Run, resume: Path | None = None, node_rank: int = 0, lock: RunLock | None = None) -> int:
    """Train here, echoing the log; 0 when it finished (or was stopped by request), 1 when it
    failed, 130 when Ctrl-C stopped it, so `aigc-tui train ... && next` does not go on.
    `lock`: the run's worker lock when the caller took it already (`claim_run`)."""
    from aigc_tui.commands.progress_line import ProgressLine
    from aigc_tui.train.early_stop import EARLY
    from aigc_tui.train.worker import run_worker

    own = not EARLY.installed
    EARLY.install()  # installed here, so the signal that stopped the worker is still known after it
    try:
        with ProgressLine(run):  # a live step/speed/ETA/loss line, on a terminal only
            end = run_worker(run, resume, echo=True, node_rank=node_rank, lock=lock)
        interrupted = EARLY.reason == "SIGINT"
    except StorageError as exc:  # not even the end state could be written: a run failure all the same
        print(f"error: run failed: {exc.one_line()}")
        return 1
    finally:
        if own:
            EARLY.restore()
    status = run.status()
    if end is RunState.FAILED:
        print(f"error: run failed: {status.error}")
        return 1
    how = " (interrupted)" if interrupted else ""
    print(f"{end.value} at step {status.step}/{status.total_steps}{how}: {run.path}")
    return INTERRUPTED if interrupted and end is RunState.STOPPED else 0


def resume(args: argparse.Namespace) -> int:
    root = runs_root(args.runs_dir)
    run = find_run(root, args.run)
    checkpoint = checkpoint_of_run(root, run, args.checkpoint) if args.checkpoint else None
    if args.overrides:
        extended = extended_config(run, args.overrides)
        check_resume(run, checkpoint, cuda_count, extended)  # refused: config.toml and status stay as they were
        write_extended(run, extended)
    note = restart_note(run, checkpoint)  # a run that ended before its first checkpoint starts over
    if args.detach:
        pid = resume_worker(run, checkpoint, cuda_count)  # the rule the app's resume uses too
        print(f"{'restarted' if note else 'resumed'} {run.id} (pid {pid})" + (f": {note}" if note else ""))
        return 0
    check_resume(run, checkpoint, cuda_count)
    if note:
        print(f"run {run.id}: {note}", flush=True)
    return run_foreground(run, checkpoint.path if checkpoint else None)


