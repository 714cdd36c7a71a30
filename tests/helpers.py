"""Helpers the tests import: tiny recipes and the CLI subprocess environment."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path

import tomli_w

REPO = Path(__file__).resolve().parent.parent

TINY_GAN = {
    "kind": "gan",
    "name": "tiny-gan",
    "run": {"steps": 30, "seed": 3, "device": "cpu", "log_every": 5, "sample_every": 10,
            "checkpoint_every": 10, "keep_last": 2},
    "data": {"source": "builtin:digits", "image_size": 8, "limit": 256},
    "model": {"arch": "mlp", "latent_dim": 8, "g_hidden": [32], "d_hidden": [32]},
    "train": {"batch_size": 16, "sample_count": 16},
}


def write_recipe(path: Path, data: dict) -> Path:
    path.write_text(tomli_w.dumps(data))
    return path


def merge(base: dict, **sections: dict) -> dict:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for key, value in sections.items():
        if isinstance(value, dict):
            out.setdefault(key, {}).update(value)
        else:
            out[key] = value
    return out


def cli_env() -> dict[str, str]:
    """Environment for a CLI subprocess: the test's isolated home, one thread each."""
    return dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))


def stop_after_step(trainer, step: int) -> None:
    """Make a trainer stop after `step` through the same path a stop request or SIGTERM takes."""
    step_once = trainer.train_step

    def step_then_stop():
        items = step_once()
        if trainer.step + 1 == step:
            trainer.request_stop("test")
        return items

    trainer.train_step = step_then_stop


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, session id) of every live process (zombies left out), from /proc (Linux)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if fields[0] != "Z":
                    table[int(entry.name)] = (int(fields[1]), int(fields[3]))
            except (OSError, IndexError, ValueError):
                continue
    return table


def kill_detached_workers(folder: Path) -> list[int]:
    """SIGKILL every detached worker (and its children) that a run under `folder` records.

    Only a process that still is the recorded one (same start time) and leads its own session
    (a detached worker; never the test process) is killed. Returns the pids it killed.
    """
    from aigc_tui.runs.status import pid_alive, process_start_time

    table = _proc_table()
    killed: list[int] = []
    for status_file in Path(folder).rglob("status.json"):
        try:
            status = json.loads(status_file.read_text())
        except (OSError, ValueError):
            continue
        pid = status.get("pid")
        if not isinstance(pid, int) or pid == os.getpid() or status.get("host") != socket.gethostname():
            continue
        if pid not in table or table[pid][1] != pid:  # gone, or not a session leader
            continue
        if status.get("pid_start") is not None and process_start_time(pid) != status["pid_start"]:
            continue  # the pid was reused by someone else's process
        tree, grew = {pid}, True
        while grew:  # the worker and every descendant, collected before any dies
            children = {p for p, (parent, _sid) in table.items() if parent in tree} - tree
            tree |= children
            grew = bool(children)
        for member in tree:
            try:
                os.kill(member, signal.SIGKILL)
                killed.append(member)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 30
    while any(pid_alive(p) for p in killed) and time.monotonic() < deadline:
        time.sleep(0.05)
    return killed


def wait_for(predicate, timeout: float = 120.0, what: str = "condition", poll: float = 0.1):
    """Poll `predicate` until it returns something truthy (returned) or fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out waiting for {what}")
