"""Runs of any command (`aigc-tui run -- CMD`) or any script using `aigc_tui.track`.

Their config.toml has `kind = "script"` and a `[script]` table (command, cwd, git commit,
package versions). Control requests keep the same files as the recipe workers'; what
differs is who consumes them: the supervisor reacts to stop requests (and removes them
when the command has ended), the script itself takes save requests through `track`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from aigc_tui.runs.control import ControlAction
from aigc_tui.runs.layout import (
    CONTROL_DIR,
    PARAMS_FILE,
    RUN_DIR_ENV,
    SCRIPT_KIND,
    STOP_POLLED_FILE,
)
from aigc_tui.runs.store import Run

__all__ = ["PARAMS_FILE", "RUN_DIR_ENV", "SCRIPT_KIND", "clear_stop_requests", "is_script_run",
           "mark_stop_polled", "script_command", "stop_polled", "stop_requests", "take_save_requests"]


def is_script_run(run: Run, config: dict | None = None) -> bool:
    config = run.config() if config is None else config
    return config.get("kind") == SCRIPT_KIND


def script_command(config: dict) -> str:
    """The command line a script run was started with, as one shell-like string."""
    import shlex

    command = config.get("script", {}).get("command") or []
    return shlex.join(str(part) for part in command) if command else ""


def _requests(run_dir: Path, action: ControlAction) -> list[Path]:
    folder = Path(run_dir) / CONTROL_DIR
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    tag = f"-{action.value}-"
    return sorted(folder / n for n in names if n.endswith(".json") and tag in n and not n.startswith("."))


def stop_requests(run_dir: Path) -> list[Path]:
    """Pending stop requests, oldest first; they stay until the run has ended."""
    return _requests(run_dir, ControlAction.STOP)


def take_save_requests(run_dir: Path) -> int:
    """Remove pending save requests and say how many there were (the script acts once)."""
    found = _requests(run_dir, ControlAction.SAVE)
    for path in found:
        path.unlink(missing_ok=True)
    return len(found)


def clear_stop_requests(run_dir: Path) -> None:
    for path in stop_requests(run_dir):
        path.unlink(missing_ok=True)
    (Path(run_dir) / CONTROL_DIR / STOP_POLLED_FILE).unlink(missing_ok=True)


def mark_stop_polled(run_dir: Path) -> None:
    """Tell the supervisor this script stops itself on request, so it waits before SIGINT."""
    path = Path(run_dir) / CONTROL_DIR / STOP_POLLED_FILE
    try:
        path.write_text(f"{os.getpid()} {time.time():.3f}\n")
    except OSError:
        pass


def stop_polled(run_dir: Path) -> bool:
    return (Path(run_dir) / CONTROL_DIR / STOP_POLLED_FILE).is_file()
