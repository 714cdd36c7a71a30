"""Handlers of the headless commands, one module per concern."""

from __future__ import annotations

import argparse

from aigc_tui.commands import run_cmd, runs_cmds, sample_cmd, train_cmd


def dispatch(args: argparse.Namespace) -> int:
    handlers = {
        "train": train_cmd.train,
        "resume": train_cmd.resume,
        "runs": runs_cmds.list_cmd,
        "stop": runs_cmds.stop,
        "request": runs_cmds.request,
        "watch": runs_cmds.watch,
        "sample": sample_cmd.sample,
        "run": run_cmd.start,
    }
    if args.command == "import-tb":
        from aigc_tui.commands.import_tb import import_tb

        return import_tb(args)
    if args.command == "generate":
        from aigc_tui.commands.generate_cmd import generate

        return generate(args)
    if args.command == "bench":
        from aigc_tui.commands.bench_cmd import bench

        return bench(args)
    return handlers[args.command](args)
