"""Track any training script in the workbench: metrics, samples, checkpoints, stop and save.

    from aigc_tui import track
    run = track.init(name="my-gpt", config={"lr": 3e-4})
    for step in range(steps):
        ...
        run.log({"loss": loss_value}, step=step)
        if run.should_save() or run.should_stop():
            save(...); run.checkpoint("out/ckpt", step)
        if run.should_stop():
            break
    run.finish()

Under `aigc-tui run -- python train.py` the script joins the run that command created (from
`$AIGC_TUI_RUN_DIR`); started by hand it creates one under the runs root. Imports neither
torch nor textual, so it costs a script almost nothing to import.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from aigc_tui.errors import RunNotFound
from aigc_tui.runs.atomic import atomic_write_text
from aigc_tui.runs.layout import PARAMS_FILE, RUN_DIR_ENV, is_run_dir
from aigc_tui.runs.status import RunState, RunStatus, process_start_time
from aigc_tui.runs.strict_json import strict
from aigc_tui.track.run import Run

__all__ = ["Run", "current", "init"]

_current: Run | None = None


def current() -> Run | None:
    """The run `init()` returned in this process, if any."""
    return _current


def _rank_zero() -> bool:
    return os.environ.get("RANK", "0") in ("", "0")


def _default_name() -> str:
    script = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] not in ("", "-c", "-m") else ""
    return script or "script"


def init(name: str | None = None, config: dict[str, Any] | None = None, *, runs_dir: str | os.PathLike[str] | None = None,
         total_steps: int | None = None) -> Run:
    """Join the run `aigc-tui run` made for this process, or create one under the runs root.

    `config` (any JSON-able dict; other values are stored as text) lands in params.json.
    On ranks other than 0 (`$RANK`), the run only answers should_stop/should_save.
    """
    global _current
    if _current is not None and not _current.finished:
        return _current
    joined = os.environ.get(RUN_DIR_ENV)
    if joined:
        path = Path(joined)
        if not is_run_dir(path):
            raise RunNotFound(f"${RUN_DIR_ENV} is {joined}, which is not a run directory")
        run = Run(path, supervised=True, enabled=_rank_zero(), total_steps=total_steps)
    else:
        path, lock = _create(name or _default_name(), runs_dir)
        run = Run(path, supervised=False, total_steps=total_steps)
        run.lock = lock  # one process works a run: held until finish() or exit
    _hook_exit(run)
    if config is not None and run.enabled:
        atomic_write_text(run.path / PARAMS_FILE, json.dumps(strict(config), indent=2, sort_keys=True, default=str) + "\n")
    _current = run
    return run


def _create(name: str, runs_dir: str | os.PathLike[str] | None) -> tuple[Path, Any]:
    from aigc_tui.paths import runs_root
    from aigc_tui.runs.lock import RunLock
    from aigc_tui.runs.store import create_run
    from aigc_tui.track.provenance import script_config_toml, script_section

    command = [sys.executable, *sys.argv]
    created = create_run(runs_root(runs_dir), script_config_toml(name, script_section(command, started_by="track")), name)
    lock = RunLock.acquire(created.path)
    status = RunStatus(state=RunState.RUNNING, pid=os.getpid(), pid_start=process_start_time(os.getpid()),
                       started_at=time.time(), throughput_unit="steps/s")
    status.write(created.path)
    return created.path, lock


def _hook_exit(run: Run) -> None:
    """The last step reaches status.json at exit; a run started by hand also records its end:
    finished, stopped, or failed with the error (under `aigc-tui run` the supervisor does)."""
    previous = sys.excepthook

    def excepthook(kind, exc, tb):  # type: ignore[no-untyped-def]
        if not run.finished:
            run.record_exception(exc)
            run.finish()
        previous(kind, exc, tb)

    sys.excepthook = excepthook
    atexit.register(run.finish)
