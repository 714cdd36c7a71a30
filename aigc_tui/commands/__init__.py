"""Handlers of the headless commands, one module per concern."""

from __future__ import annotations

import argparse
import importlib

# command -> (module, handler): imported on use, so `runs`/`stop`/`watch` skip pydantic and torch
HANDLERS = {
    "train": ("train_cmd", "train"),
    "sweep": ("sweep_cmd", "sweep"),
    "resume": ("train_cmd", "resume"),
    "runs": ("runs_cmds", "list_cmd"),
    "stop": ("runs_cmds", "stop"),
    "request": ("runs_cmds", "request"),
    "watch": ("runs_cmds", "watch"),
    "sample": ("sample_cmd", "sample"),
    "run": ("run_cmd", "start"),
    "import-tb": ("import_tb", "import_tb"),
    "rm": ("house_cmds", "rm"),
    "archive": ("house_cmds", "archive"),
    "unarchive": ("house_cmds", "unarchive"),
    "tag": ("house_cmds", "tag"),
    "note": ("house_cmds", "note"),
    "diff": ("house_cmds", "diff"),
}


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "generate":
        from aigc_tui.commands.generate_cmd import generate

        return generate(args)
    if args.command in ("fill-mask", "classify"):
        from aigc_tui.commands.encoder_cmds import classify_cmd, fill_mask_cmd

        return fill_mask_cmd(args) if args.command == "fill-mask" else classify_cmd(args)
    if args.command == "fork":
        from aigc_tui.commands.fork_cmd import fork

        return fork(args)
    if args.command == "bench":
        from aigc_tui.commands.bench_cmd import bench

        return bench(args)
    module, handler = HANDLERS[args.command]
    return getattr(importlib.import_module(f"aigc_tui.commands.{module}"), handler)(args)
