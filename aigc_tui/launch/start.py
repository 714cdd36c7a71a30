"""Launch-time steps the CLI and the app share: check the machine, create the run, resume it.

Environment checks (data paths, pretrained model, GPUs) run here, before anything is created
or started, so a missing folder is one line naming the field, never a half-made run.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aigc_tui.config import RecipeConfig, config_from_toml, dump_toml, with_absolute_paths
from aigc_tui.config.environment import CudaCount, check_environment
from aigc_tui.config.restart import built_from_own
from aigc_tui.errors import AigcError, ConfigError
from aigc_tui.launch.pretrained import resolve_pretrained
from aigc_tui.launch.spawn import spawn_worker
from aigc_tui.runs.checkpoints import CheckpointInfo
from aigc_tui.runs.layout import require_resume
from aigc_tui.runs.status import RunState
from aigc_tui.runs.store import Run, create_run


def with_folder_channels(config: RecipeConfig) -> RecipeConfig:
    """An image folder with `data.channels` empty gets its images' own count (greyscale -> 1),
    written into the run's config so the model, its checkpoints and sampling agree."""
    data = getattr(config, "data", None)
    source = str(getattr(data, "source", ""))
    if data is None or getattr(data, "channels", 0) or not source.startswith("imagefolder:"):
        return config
    from aigc_tui.data.folder_channels import folder_channels

    channels = folder_channels(Path(source.removeprefix("imagefolder:")).expanduser())
    if channels is None:
        return config  # the environment check names the empty folder
    return config.model_copy(update={"data": data.model_copy(update={"channels": channels})})


def new_run(
    root: Path,
    config: RecipeConfig,
    cuda_count: CudaCount = None,
    run_id: str | None = None,
    parent: dict[str, Any] | None = None,
    notify: Callable[[str], Any] | None = None,
) -> Run:
    """Resolve `model.pretrained`, check the environment the recipe needs, then create its run
    directory (queued). `parent` overrides the lineage (a fork); `notify` hears what was resolved."""
    config = with_absolute_paths(config)  # a detached worker's cwd is its run dir
    config = with_folder_channels(config)
    resolved = resolve_pretrained(config, root)
    check_environment(config, cuda_count)
    check_batch_divides(config)
    check_keep_best(config)
    if resolved.note and notify is not None:
        notify(resolved.note)
    return create_run(root, dump_toml(config), config.name, run_id=run_id, parent=parent or resolved.parent)


def check_batch_divides(config: RecipeConfig) -> None:
    """The global batch splits evenly among the processes: one line now, not a failed torchrun later."""
    train = getattr(config, "train", None)
    batch = getattr(train, "batch_size", None)
    run = config.run
    if batch is None or config.kind not in ("gan", "lm"):  # the others refuse several processes outright
        return
    if run.gpus:
        from aigc_tui.runs.queue import request_for

        request = request_for(run.gpus, run.nproc, run.slots)
        per_node = request.count if request else 1
    else:
        per_node = run.nproc
    world = per_node * run.nnodes
    if world > 1 and batch % world:
        raise ConfigError(f"train.batch_size = {batch} is the global batch and must divide among {world} processes")


def check_keep_best(config: RecipeConfig) -> None:
    """`run.keep_best` names a metric this kind of run logs: a typo kept no best checkpoint, and the
    only trace was a warning in log.txt once the run had started (tester6 G5)."""
    best, names = config.run.keep_best, getattr(type(config), "logged_metrics", ())
    if best and names and best not in names:
        raise ConfigError(f"run.keep_best = {best!r} is not a metric a {config.kind} run logs; "
                          f"use one of {', '.join(names)}")


def run_config(run: Run) -> RecipeConfig:
    """The run's own config.toml (pure schema: it loads even if its data moved since)."""
    try:
        return config_from_toml(run.config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"run {run.id} has no readable {run.config_path.name}: {exc}") from None


def check_resume(run: Run, checkpoint: CheckpointInfo | None = None,
                 cuda_count: CudaCount = None, config: RecipeConfig | None = None) -> CheckpointInfo | None:
    """The resume rule (`runs.layout.can_resume`) and then the environment; returns the start
    (None: the run ended before its first checkpoint and starts over from its start).

    `config` is the run's config as `resume --set` would change it (default: its config.toml),
    so a refused extension is refused before anything is written. The model comes from the start
    checkpoint, so a fine-tune's `model.pretrained` (its parent) need not exist any more; a run
    that starts over needs what its first start needed."""
    start = require_resume(run, checkpoint, config.run.steps if config is not None else None)
    config = config or run_config(run)
    if start is None:
        parent = run.status().parent or {}
        folder = Path(str(parent.get("checkpoint", "")))
        if parent.get("how") == "fork" and parent.get("weights") and not folder.is_dir():
            raise AigcError(f"run {run.name} has no checkpoint of its own, and the checkpoint it was forked from "
                            f"({folder}) no longer exists; fork another checkpoint instead")
    check_environment(built_from_own(config, start.path if start else None), cuda_count)
    return start


def resume_worker(run: Run, checkpoint: CheckpointInfo | None = None, cuda_count: CudaCount = None) -> int:
    """Resume a run detached, from `checkpoint` or its newest (or start over one that ended before
    its first checkpoint, see `restart_note`); refuses with an AigcError."""
    check_resume(run, checkpoint, cuda_count)
    return spawn_worker(run, resume=checkpoint.path if checkpoint is not None else None)


def restart_note(run: Run, checkpoint: CheckpointInfo | None = None) -> str:
    """What a resume of `run` will do, in words: '' for an ordinary resume from a checkpoint."""
    if checkpoint is not None or run.checkpoints():
        return ""
    status = run.status()
    if status.state is RunState.QUEUED and status.pid is None:
        return "no worker had started it (its launcher ended first), so it starts now"
    parent = status.parent or {}
    start = f"step {parent.get('step', 0)}" if parent.get("how") == "fork" and parent.get("keep_step") else "step 0"
    return f"it ended before its first checkpoint, so it starts over from {start}"
