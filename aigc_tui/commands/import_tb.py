"""`aigc-tui import-tb LOGDIR [--follow]`: TensorBoard event files → one run directory each.

Reads with TensorBoard's own `EventAccumulator` (the optional extra `aigc-tui[tensorboard]`),
never a hand-written protobuf parser. Scalars become metrics.jsonl lines (one per step),
images become samples/ PNGs. A folder imported before (its run records `imported_from`)
updates that run with the steps past its last one instead of making a second run. With `--follow` the highest step is held back until a later one
appears (its values may still be arriving), new event folders become new runs, and Ctrl-C,
SIGTERM (`kill PID`) or SIGHUP (the terminal closed) ends the import: the held-back steps are
written and each run ends `finished`, never left `running` to read as lost.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aigc_tui.errors import AigcError
from aigc_tui.paths import runs_root
from aigc_tui.runs.atomic import atomic_write_bytes
from aigc_tui.runs.layout import NONFINITE_METRIC as NONFINITE
from aigc_tui.runs.metrics import MetricsReader, MetricsWriter
from aigc_tui.runs.status import (
    RunState,
    RunStatus,
    process_start_time,
    update_status,
    worker_alive,
)
from aigc_tui.runs.store import Run, create_run, list_runs
from aigc_tui.track.media import sample_path

FOLLOW_POLL_SECONDS = 2.0


def _accumulator(folder: Path) -> Any:
    try:
        from tensorboard.backend.event_processing import event_accumulator
    except ImportError:
        raise AigcError("import-tb needs TensorBoard's reader", "pip install 'aigc-tui[tensorboard]'") from None
    # 0 = keep every event (the default keeps a 1,000-point reservoir, which hides spikes)
    sizes = {event_accumulator.SCALARS: 0, event_accumulator.IMAGES: 0, event_accumulator.TENSORS: 0}
    return event_accumulator.EventAccumulator(str(folder), size_guidance=sizes)


def event_folders(logdir: Path) -> list[Path]:
    """Every folder under LOGDIR that holds event files (TensorBoard's notion of a run)."""
    found = []
    for here, _, files in os.walk(logdir):
        if any("tfevents" in f for f in files):
            found.append(Path(here))
    return sorted(found)


def read_events(acc: Any) -> tuple[dict[int, dict[str, float]], dict[int, float], list[tuple[str, int, bytes]]]:
    """(values by step, wall time by step, images) from everything the accumulator holds."""
    import numpy as np

    values: dict[int, dict[str, float]] = {}
    times: dict[int, float] = {}

    def add(tag: str, step: int, wall: float, value: float) -> None:
        # event files hold float32: keep its shortest spelling (0.1, not 0.10000000149011612)
        values.setdefault(step, {})[tag] = float(str(np.float32(value)))
        times[step] = max(times.get(step, 0.0), wall)

    tags = acc.Tags()
    for tag in tags.get("scalars", []):
        for ev in acc.Scalars(tag):
            add(tag, int(ev.step), ev.wall_time, float(ev.value))
    for tag in tags.get("tensors", []):  # TF2-style scalar summaries are stored as tensors
        if acc.SummaryMetadata(tag).plugin_data.plugin_name != "scalars":
            continue
        from tensorboard.util import tensor_util

        for ev in acc.Tensors(tag):
            add(tag, int(ev.step), ev.wall_time, float(tensor_util.make_ndarray(ev.tensor_proto).item()))
    images = [(tag, int(ev.step), ev.encoded_image_string) for tag in tags.get("images", []) for ev in acc.Images(tag)]
    return values, times, images


@dataclass
class Imported:
    """One event folder being imported into one run."""

    folder: Path
    run: Run
    acc: Any
    written_step: int = -1
    images: set[tuple[str, int]] = field(default_factory=set)

    def sync(self, hold_last: bool) -> int:
        """Write steps not yet written (all of them, or all but the newest); return how many."""
        self.acc.Reload()
        values, times, images = read_events(self.acc)
        steps = sorted(s for s in values if s > self.written_step)
        if hold_last and steps:
            steps = steps[:-1]
        writer = MetricsWriter(self.run.path)
        try:
            for step in steps:  # a NaN/inf value is marked as our workers mark their non-finite steps
                bad = NONFINITE not in values[step] and not all(map(math.isfinite, values[step].values()))
                flag = {NONFINITE: 1.0} if bad else {}
                writer.write(step, values[step] | flag, when=times[step])
        finally:
            writer.close()
        if steps:
            self.written_step = steps[-1]
        for tag, step, data in images:
            if (tag, step) not in self.images:
                self.images.add((tag, step))
                target = sample_path(self.run.path, tag, step, ".png")
                if not target.exists():  # an earlier import of this folder wrote it
                    atomic_write_bytes(target, data)
        if steps:
            last = steps[-1]
            update_status(self.run.path, lambda s: setattr(s, "step", last) or True)
        return len(steps)


def _readable(folder: Path) -> Any | None:
    """The folder's accumulator, loaded, when its event files hold scalars or images; else None."""
    acc = _accumulator(folder)
    acc.Reload()
    values, _, images = read_events(acc)
    return acc if values or images else None


def imported_runs(root: Path) -> dict[str, Run]:
    """The runs an earlier import-tb made, by the event folder they came from (the newest wins)."""
    found = {}
    for run in list_runs(root):
        script = run.config().get("script", {})
        if script.get("importer") == "tensorboard" and script.get("imported_from"):
            found[script["imported_from"]] = run
    return found


def _run_for(root: Path, folder: Path, logdir: Path, prefix: str | None, acc: Any, earlier: dict[str, Run]) -> Imported:
    """A new run for the folder, or the run an earlier import made of it, which then gets only
    the steps past its last one (an import run twice updates, never duplicates)."""
    import tomli_w

    from aigc_tui.runs.script import SCRIPT_KIND

    pid = os.getpid()
    mine = RunStatus(state=RunState.RUNNING, pid=pid, pid_start=process_start_time(pid), started_at=time.time())
    if (run := earlier.get(str(folder.resolve()))) is not None:
        status = run.status()
        if status.state is RunState.RUNNING and worker_alive(status):
            raise AigcError(f"{folder} is being imported into {run.id} right now (pid {status.pid}, import-tb --follow)")
        reader = MetricsReader(run.path, keys=())
        reader.poll()
        mine.step = status.step
        mine.write(run.path)
        print(f"{folder} was imported before: updating {run.id} ({run.name}) past step {status.step}", flush=True)
        written = int((reader.last or {}).get("step", -1))
        return Imported(folder, run, acc if acc is not None else _accumulator(folder), written_step=written)
    rel = folder.relative_to(logdir).as_posix()
    base = prefix or logdir.resolve().name
    name = base if rel == "." else f"{base}/{rel}"
    config = {"kind": SCRIPT_KIND, "name": name,
              "script": {"imported_from": str(folder.resolve()), "importer": "tensorboard"}}
    run = create_run(root, tomli_w.dumps(config), name)
    mine.write(run.path)
    print(f"importing {folder} -> {run.id}", flush=True)
    return Imported(folder, run, acc if acc is not None else _accumulator(folder))


def _end(item: Imported, state: RunState) -> None:
    def mutate(status: RunStatus) -> bool:
        status.state, status.ended_at = state, time.time()
        return True

    update_status(item.run.path, mutate)


class _Ended(Exception):
    """SIGTERM or SIGHUP while following: end the import the way Ctrl-C does."""


@contextmanager
def _ending_signals() -> Iterator[dict[str, bool]]:
    """SIGTERM and SIGHUP end a follow like Ctrl-C: at once while it sleeps, after the write in
    progress otherwise (a metrics line is never cut in half). Yields the flags the loop reads."""
    flags = {"sleeping": False, "ended": False}

    def handler(_signum: int, _frame: object) -> None:
        flags["ended"] = True
        if flags["sleeping"]:
            raise _Ended

    # an ignored signal stays ignored: `nohup aigc-tui import-tb --follow &` outlives the terminal
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGHUP)
                if signal.getsignal(sig) is not signal.SIG_IGN}
    try:
        yield flags
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _sleep(flags: dict[str, bool], seconds: float) -> None:
    flags["sleeping"] = True
    try:
        if flags["ended"]:  # came just before we began to sleep
            raise _Ended
        time.sleep(seconds)
    finally:
        flags["sleeping"] = False


def import_tb(args: argparse.Namespace) -> int:
    logdir = Path(args.logdir).expanduser()
    if not logdir.is_dir():
        raise AigcError(f"{logdir} is not a directory")
    _accumulator(logdir)  # a missing extra fails before anything is created
    root = runs_root(args.runs_dir)
    items: dict[Path, Imported] = {}
    if not event_folders(logdir) and not args.follow:
        raise AigcError(f"no TensorBoard event files (*tfevents*) under {logdir}")
    loaded: dict[Path, Any] = {}
    if not args.follow:  # a one-shot import makes runs only for folders with something to import
        loaded = {folder: acc for folder in event_folders(logdir) if (acc := _readable(folder)) is not None}
        if not loaded:
            raise AigcError(f"no readable scalars or images in the event files under {logdir} (not TensorBoard files?)")
    earlier = imported_runs(root)
    with _ending_signals() as flags:
        try:
            while True:
                for folder in loaded or event_folders(logdir):
                    if folder not in items:
                        items[folder] = _run_for(root, folder, logdir, args.name, loaded.get(folder), earlier)
                    items[folder].sync(hold_last=args.follow)
                    if flags["ended"]:
                        raise _Ended
                if not args.follow:
                    break
                _sleep(flags, FOLLOW_POLL_SECONDS)
        except (KeyboardInterrupt, _Ended):
            pass
        finally:  # whatever ended it, no run is left `running` (it would read as lost)
            _finish(items, args.follow)
    return 0


def _finish(items: dict[Path, Imported], follow: bool) -> None:
    """Write what was held back and end every run `finished` (its status must not stay running)."""
    for item in items.values():
        if follow:
            item.sync(hold_last=False)
        _end(item, RunState.FINISHED)
        last = f"up to step {item.written_step}" if item.written_step >= 0 else "no scalars"
        try:
            print(f"{item.run.id}: {last}, {item.run.path}", flush=True)
        except OSError:  # SIGHUP: the terminal is gone; the run's status already says it ended
            pass
