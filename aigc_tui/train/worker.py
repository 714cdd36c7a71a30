"""The worker process: `python -m aigc_tui.train.worker RUN_DIR [--resume CHECKPOINT]`.

Started detached by the launcher (own session, output to log.txt) or in the foreground by
`aigc-tui train`. On every start it resumes from the newest checkpoint the run has, so a
restart (torchrun's, or the user's `resume`) continues where training left off.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aigc_tui.config import config_from_toml
from aigc_tui.runs.checkpoints import list_checkpoints, newest_resumable
from aigc_tui.runs.status import RunState, RunStatus, mark_queued
from aigc_tui.runs.store import Run

if TYPE_CHECKING:
    from aigc_tui.train.loop import Trainer


def make_logger(run: Run, echo: bool, to_file: bool) -> Callable[[str], None]:
    """Lines go to log.txt (and to the terminal in the foreground)."""
    handle = open(run.log_path, "a", encoding="utf-8", buffering=1) if to_file else None

    def log(message: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        for line in str(message).splitlines() or [""]:
            text = f"[{stamp}] {line}"
            if handle:
                handle.write(text + "\n")
            if echo:
                print(text, flush=True)

    return log


def fail(run: Run, log: Callable[[str], None], exc: BaseException) -> RunState:
    status = RunStatus.read(run.path)
    status.state = RunState.FAILED
    status.set_failure(exc)
    status.ended_at = time.time()
    status.write(run.path)
    log(f"failed before training started: {status.error}")
    return RunState.FAILED


def build_trainer(run: Run, log: Callable[[str], None]) -> Trainer:
    """The family trainer the run's config.toml names, placed on its device."""
    config = config_from_toml(run.config_path.read_text())
    from aigc_tui.models.device import placement
    from aigc_tui.models.quiet import quiet_libraries

    quiet_libraries()

    place = placement(config.run.device, config.run.precision)
    if config.kind == "gan":
        from aigc_tui.train.gan.trainer import GanTrainer

        return GanTrainer(run, config, place, log)
    from aigc_tui.train.lm.trainer import LmTrainer

    return LmTrainer(run, config, place, log)


def run_worker(run: Run, resume: Path | None = None, echo: bool = False, detached: bool = False) -> RunState:
    """Build the trainer the recipe names and run it; always leaves an end state."""
    log = make_logger(run, echo=echo or detached, to_file=not detached)
    mark_queued(run.path, os.getpid())  # before anything can fail, so a crash reads as lost
    try:
        trainer = build_trainer(run, log)
        newest = newest_resumable(list_checkpoints(run.path))
        start_from = resume or (newest.path if newest else None)
        if start_from is not None:
            trainer.resume_from(Path(start_from))
    except Exception as exc:
        return fail(run, log, exc)
    return trainer.run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aigc_tui.train.worker")
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--resume", type=Path, default=None)
    parser.add_argument("--detached", action="store_true", help="stdout is already log.txt")
    args = parser.parse_args(argv)
    end = run_worker(Run(args.run_dir.resolve()), args.resume, detached=args.detached)
    return 0 if end in (RunState.FINISHED, RunState.STOPPED) else 1


if __name__ == "__main__":
    sys.exit(main())
