"""Changing a stopped or finished run's run.*/train.* before it resumes (`resume --set`, the app's extend)."""

from __future__ import annotations

import os

from aigc_tui.config import RecipeConfig, apply_overrides, dump_toml, validate
from aigc_tui.config.io import once_each
from aigc_tui.errors import AigcError
from aigc_tui.launch.start import check_keep_best, check_resume, resume_worker
from aigc_tui.runs.atomic import atomic_write_text
from aigc_tui.runs.status import RunStatus, update_status
from aigc_tui.runs.store import Run

RESUMABLE_SECTIONS = ("run.", "train.")


def extended_config(run: Run, overrides: list[str]) -> RecipeConfig:
    """The run's config with `resume --set` overrides (run.* and train.* only), validated."""
    bad = [o for o in once_each(overrides) if not o.strip().startswith(RESUMABLE_SECTIONS)]
    if bad:
        raise AigcError(f"resume --set changes run.* and train.* only, not '{bad[0]}'; "
                        "fork the run to change its model or data")
    config = validate(apply_overrides(run.config(), overrides))
    if any(o.strip().startswith("run.keep_best") for o in overrides):
        check_keep_best(config)
    return config


def write_extended(run: Run, config: RecipeConfig) -> None:
    """Rewrite config.toml (keeping its time, which orders runs by creation) and the status total."""
    created = run.config_path.stat()
    atomic_write_text(run.config_path, dump_toml(config))
    os.utime(run.config_path, ns=(created.st_atime_ns, created.st_mtime_ns))

    def total(status: RunStatus) -> bool:
        status.total_steps = config.run.steps
        return True

    update_status(run.path, total)


def extend_run(run: Run, steps: int) -> int:
    """Raise a run's total to `steps` and resume it detached from its newest checkpoint, as
    `aigc-tui resume RUN --set run.steps=N --detach` does; refused (nothing written) with an AigcError."""
    extended = extended_config(run, [f"run.steps={steps}"])
    check_resume(run, None, None, extended)  # refused: config.toml and status stay as they were
    write_extended(run, extended)
    return resume_worker(run)
