"""`aigc-tui run [--name N] [--gpus …] [--attach] -- CMD ...`: any command as a run."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from aigc_tui.errors import AigcError
from aigc_tui.launch.script import spawn_supervisor
from aigc_tui.paths import runs_root
from aigc_tui.runs import ControlAction, RunState, create_run, request_control
from aigc_tui.runs.store import Run
from aigc_tui.track.provenance import script_config_toml, script_section


def parse_gpus(text: str | None) -> str | None:
    """`0,1`, `all`, `any:N` (through the GPU queue) or `none` (CPU only: an empty
    CUDA_VISIBLE_DEVICES); the GPUs named must exist here. Refuses anything else in one line."""
    if text is None:
        return None
    text = text.strip().lower().replace(" ", "")
    if text in ("none", "cpu", ""):
        return ""
    valid = text == "all" or (text.startswith("any:") and text[4:].isdigit() and int(text[4:]) > 0) or \
        all(p.isdigit() for p in text.split(","))
    if not valid:
        raise AigcError(f"--gpus '{text}' is not GPU indices such as 0 or 0,1, all, any:N, or none (CPU only)")
    from aigc_tui.runs.queue import request_for

    request_for(text, cpu_hint="drop --gpus (or give --gpus none)")  # DeviceError (exit 2): a GPU not here (H16)
    return text


def default_name(command: list[str]) -> str:
    """`train` for `python train.py ...` or `torchrun ... train.py`: the script or module it runs."""
    args = command[1:]
    for i, arg in enumerate(args):
        if arg in ("-m", "--module") and i + 1 < len(args):
            return args[i + 1].rsplit(".", 1)[-1]
        if arg == "-c":
            break
        if Path(arg).suffix in (".py", ".sh") and not arg.startswith("-"):
            return Path(arg).stem
    return Path(command[0]).stem


def start(args: argparse.Namespace) -> int:
    command = list(args.cmd)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise AigcError("no command given; usage: aigc-tui run [--name N] -- python train.py ARGS")
    if shutil.which(command[0]) is None and not Path(command[0]).is_file():
        raise AigcError(f"command not found: {command[0]}")
    if args.grace <= 0:
        raise AigcError(f"--grace must be a positive number of seconds, not {args.grace}")
    gpus = parse_gpus(args.gpus)
    name = args.name or default_name(command)
    section = script_section(command, Path.cwd(), started_by="aigc-tui run", gpus=gpus, grace=args.grace)
    run = create_run(runs_root(args.runs_dir), script_config_toml(name, section), name)
    pid = spawn_supervisor(run)
    if not args.attach:
        print(f"started {run.id} (supervisor pid {pid})\n{run.path}")
        return 0
    print(f"run {run.id}\n{run.path}", flush=True)
    return follow(run)


def follow(run: Run) -> int:
    """Print log.txt as it grows until the run ends; Ctrl-C asks it to stop, twice detaches."""
    offset, interrupts = 0, 0
    out = sys.stdout.buffer
    while True:
        try:
            offset = _copy_new(run, offset, out)
            status = run.status()
            if not status.state.is_live:
                _copy_new(run, offset, out)
                break
            time.sleep(0.2)
        except KeyboardInterrupt:
            interrupts += 1
            if interrupts > 1:
                print(f"\ndetached; the run goes on: aigc-tui watch {run.id}", flush=True)
                return 130
            request_control(run.path, ControlAction.STOP)
            print("\nstop requested (Ctrl-C again to detach and leave it running)", flush=True)
    print(f"run {run.id} ended {status.state.value}" + (f": {status.error}" if status.error else ""), flush=True)
    if status.exit_code is not None:
        return status.exit_code if status.exit_code >= 0 else 128 - status.exit_code
    return 0 if status.state in (RunState.FINISHED, RunState.STOPPED) else 1


def _copy_new(run: Run, offset: int, out) -> int:  # type: ignore[no-untyped-def]
    try:
        with open(run.log_path, "rb") as f:
            f.seek(offset)
            data = f.read()
    except OSError:
        return offset
    if data:
        out.write(data)
        out.flush()
    return offset + len(data)

