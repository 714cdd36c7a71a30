"""The worker process: `python -m aigc_tui.train.worker RUN_DIR [--resume CHECKPOINT] [--lock-fd N]`.

Started detached by the launcher (own session, output to log.txt) or in the foreground by
`aigc-tui train`. It holds the run's worker lock for its whole life (one worker per run),
and on every start it resumes from the newest checkpoint the run has, so a restart
(torchrun's, or the user's `resume`) continues where training left off.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aigc_tui.config import config_from_toml
from aigc_tui.config.restart import built_from_own
from aigc_tui.errors import AigcError, StorageError
from aigc_tui.runs.checkpoints import list_checkpoints, newest_resumable, set_aside_after
from aigc_tui.runs.control import take_requests
from aigc_tui.runs.leftovers import clean_leftovers
from aigc_tui.runs.lock import RunLock
from aigc_tui.runs.members import open_append, refuse_symlinks
from aigc_tui.runs.status import RunState, RunStatus
from aigc_tui.runs.store import Run
from aigc_tui.train.early_stop import EARLY

if TYPE_CHECKING:
    from aigc_tui.train.loop import Trainer




def _silence_terminal() -> None:
    """The terminal is gone: point stdout/stderr at /dev/null so no later write can raise."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        try:
            os.dup2(devnull, fd)
        except OSError:
            pass
    os.close(devnull)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    sys.stderr = sys.stdout


def make_logger(run: Run, echo: bool, to_file: bool) -> Callable[[str], None]:
    """Lines go to log.txt (and to the terminal in the foreground, until that terminal goes away)."""
    handle = None
    if to_file:
        handle = os.fdopen(open_append(run.log_path), "a", encoding="utf-8", buffering=1)
    echoing = [echo]

    def log(message: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        for line in str(message).splitlines() or [""]:
            text = f"[{stamp}] {line}"
            if handle:
                try:
                    handle.write(text + "\n")
                except OSError:
                    pass  # a full disk must not stop training; status.json still tells
            if echoing[0]:
                try:
                    print(text, flush=True)
                except (OSError, ValueError):  # EIO: the terminal hung up
                    echoing[0] = False
                    _silence_terminal()
                    if handle:
                        handle.write(f"[{stamp}] the terminal went away; logging to log.txt only\n")

    return log


def fail(run: Run, log: Callable[[str], None], exc: BaseException) -> RunState:
    status = RunStatus.read(run.path)
    status.state = RunState.FAILED
    status.set_failure(exc)
    status.ended_at = time.time()
    status.total_steps = status.total_steps or _config_steps(run)
    status.write(run.path)
    log(f"failed before training started: {status.error}")
    return RunState.FAILED


TRAINERS = {  # recipe kind -> its trainer; one line per model family
    "gan": "aigc_tui.train.gan.trainer:GanTrainer",
    "lm": "aigc_tui.train.lm.trainer:LmTrainer",
    "mlm": "aigc_tui.train.mlm.trainer:MlmTrainer",
    "classify": "aigc_tui.train.classify.trainer:ClassifyTrainer",
}
def _config_steps(run: Run) -> int:
    try:
        return int(run.config().get("run", {}).get("steps", 0))
    except (TypeError, ValueError, AttributeError):
        return 0


def stop_early(run: Run, log: Callable[[str], None]) -> RunState:
    """End `stopped` a worker that was stopped before its training loop began."""
    status = RunStatus.read(run.path)
    status.state, status.ended_at = RunState.STOPPED, time.time()
    status.total_steps = status.total_steps or _config_steps(run)  # `stopped at step 0/2000`, not 0/0 (H3)
    status.write(run.path)
    log("stopped before training started")
    return RunState.STOPPED


def build_trainer(run: Run, log: Callable[[str], None], start: Path | None = None) -> Trainer:
    """The family trainer the run's config.toml names, placed on its device (this rank's GPU under torchrun).

    With a `start` checkpoint of its own, a fine-tune builds its model from that, not from
    `model.pretrained` again (which may have been pruned since)."""
    config = config_from_toml(run.config_path.read_text())
    own = built_from_own(config, start)
    if own is not config and start is not None:
        log(f"model: built from this run's own {start.name} (model.pretrained is read at the first start only)")
        config = own
    from aigc_tui.models.device import placement
    from aigc_tui.models.quiet import quiet_libraries

    quiet_libraries()

    place = placement(rank_device(config.run.device, config.run.gpus), config.run.precision)
    module, _, name = TRAINERS[config.kind].partition(":")
    family: type[Trainer] = getattr(importlib.import_module(module), name)  # imports only this family
    return family(run, config, place, log)


def own_start(run: Run, resume: Path | None) -> Path | None:
    """The checkpoint of its own a run continues from: the one asked for, else its newest resumable."""
    newest = newest_resumable(list_checkpoints(run.path))
    return Path(resume) if resume is not None else (newest.path if newest else None)


def start_point(run: Run, trainer: Trainer, start_from: Path | None) -> None:
    """Resume from the run's own checkpoint; a fresh fork "with weights" starts from its parent's."""
    if start_from is not None:
        trainer.resume_from(start_from)
        return
    parent = run.status().parent or {}
    if parent.get("how") == "fork" and parent.get("weights"):
        from aigc_tui.train.lineage import warm_start

        warm_start(trainer, Path(parent["checkpoint"]), bool(parent.get("keep_step")),
                   bool(parent.get("keep_optimizer")))


def set_aside_later(run: Run, trainer: Trainer) -> None:
    """`resume --from` an earlier checkpoint: the later ones (the timeline it replaces) stop being the run's."""
    if trainer.dist.is_main:
        folder, moved = set_aside_after(run.path, trainer.step, time.strftime("%Y%m%d-%H%M%S"))
        if moved:
            trainer.log(f"resumed from an earlier checkpoint: the later {', '.join(moved)} (the timeline this "
                        f"resume replaces) moved aside to {folder}/")


def rank_device(device: str, gpus: str) -> str:
    """A GPU run's process uses the GPU of its local rank among those it was given (CUDA_VISIBLE_DEVICES)."""
    local = os.environ.get("LOCAL_RANK")
    if gpus or (local is not None and device in ("auto", "cuda")):
        import torch

        if torch.cuda.is_available():
            return f"cuda:{int(local or 0)}"
    return device


def train_here(run: Run, resume: Path | None, log: Callable[[str], None]) -> tuple[RunState, Trainer | None]:
    """Build, resume and train in this process (the one process, or one torchrun rank)."""
    try:
        start = own_start(run, resume)
        trainer = build_trainer(run, log, start)
        start_point(run, trainer, start)
        if resume is not None:
            set_aside_later(run, trainer)
    except KeyboardInterrupt:
        return stop_early(run, log), None
    except Exception as exc:
        from aigc_tui.train.dist import from_env

        if from_env().enabled:
            raise  # torchrun's error file carries it to the agent, which names the rank
        return fail(run, log, exc), None
    EARLY.attach(trainer)  # a stop that came during start-up applies now
    return trainer.run(), trainer


def run_worker(run: Run, resume: Path | None = None, echo: bool = False, detached: bool = False,
               node_rank: int = 0, lock: RunLock | None = None) -> RunState:
    """Wait for the run's devices, then train here or through torchrun; always leaves an end state.

    Node 0 takes the run's worker lock first (RunBusy, with nothing written, if another worker
    has it) unless the launcher handed it over, refuses symlinked members, and removes what
    a killed writer left behind.
    """
    from aigc_tui.train.agent import run_agent

    took_lock = node_rank == 0 and lock is None
    if took_lock:
        lock = RunLock.acquire(run.path)
    own_handlers = not EARLY.installed
    EARLY.install()
    try:
        if node_rank == 0:
            refuse_symlinks(run.path)  # before anything is written through one
        if took_lock:
            take_requests(run.path)  # for a worker that ended without reading them (see launch.spawn.claim_run)
        log = make_logger(run, echo=echo or detached, to_file=not detached)
        if node_rank == 0:
            cleaned = clean_leftovers(run.path)
            if cleaned:
                log(f"removed leftovers of an interrupted write: {', '.join(cleaned)}")
        return run_agent(run, resume, log, detached, node_rank)
    finally:
        if lock is not None:
            lock.close()
        if own_handlers:
            EARLY.restore()


def run_rank(run: Run, resume: Path | None, detached: bool) -> int:
    """One torchrun rank; a failure is re-raised so torchrun's error file names this rank and why."""
    from torch.distributed.elastic.multiprocessing.errors import record

    if int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")) > 0:
        resume = None  # a restart continues from the newest checkpoint, not the one first asked for
    log = make_logger(run, echo=True, to_file=not detached and os.environ.get("RANK") == "0")

    @record
    def rank_main() -> int:
        end, trainer = train_here(run, resume, log)
        if trainer is not None:
            trainer.dist.close()
        if end is RunState.FAILED:
            raise RuntimeError((trainer.error if trainer else None) or "training failed")
        return 0

    return rank_main()


def main(argv: list[str] | None = None) -> int:
    EARLY.install()  # first: a SIGTERM from here on ends `stopped`
    parser = argparse.ArgumentParser(prog="aigc_tui.train.worker")
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--resume", type=Path, default=None)
    parser.add_argument("--detached", action="store_true", help="stdout is already log.txt")
    parser.add_argument("--node-rank", type=int, default=0, help="this node's rank when the run spans nodes")
    parser.add_argument("--lock-fd", type=int, default=None, help="the run's worker lock, taken by the launcher")
    args = parser.parse_args(argv)
    run = Run(args.run_dir.absolute())
    if "TORCHELASTIC_RUN_ID" in os.environ and "LOCAL_RANK" in os.environ:
        return run_rank(run, args.resume, args.detached)  # a rank: the agent holds the lock
    lock = None
    if args.node_rank == 0:
        try:
            lock = RunLock.adopt(args.lock_fd, run.path) if args.lock_fd is not None else RunLock.acquire(run.path)
        except AigcError as exc:
            print(f"error: {exc.one_line()}", file=sys.stderr)
            return 2
    try:
        end = run_worker(run, args.resume, detached=args.detached, node_rank=args.node_rank, lock=lock)
    except StorageError as exc:  # not even the end state could be written (a full disk): one line, no traceback
        print(f"error: run failed: {exc.one_line()}", file=sys.stderr)
        return 1
    return 0 if end in (RunState.FINISHED, RunState.STOPPED) else 1


if __name__ == "__main__":
    sys.exit(main())
