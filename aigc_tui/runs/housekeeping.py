"""Delete, archive and unarchive runs: the one implementation the app and the CLI share.

A live run (queued, running, or any process holding its worker lock) is never touched.
Each operation takes the run's worker lock (runs/lock.py) for its whole length, so a worker
or resume starting on the run at the same moment is refused, and moves the directory with
one rename: a launcher that looked the run up a moment earlier finds no directory rather
than a half-deleted one. Delete renames to a `.deleting-` tombstone first, then removes it.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aigc_tui.errors import AigcError, RunBusy, RunNotFound
from aigc_tui.runs.dependents import refuse_if_needed
from aigc_tui.runs.layout import ARCHIVE_DIR, TOMBSTONE_PREFIX, cli_ref
from aigc_tui.runs.lock import RunLock, holder_pid
from aigc_tui.runs.status import RunState, RunStatus, elsewhere, force_hint, worker_words
from aigc_tui.runs.store import Run, find_run, list_runs, refuse_symlinked


def archive_root(root: Path) -> Path:
    return Path(root) / ARCHIVE_DIR


def is_archived(run: Run) -> bool:
    return run.path.parent.name == ARCHIVE_DIR


def archived_runs(root: Path) -> list[Run]:
    return list_runs(archive_root(root))


def find_archived(root: Path, ref: str, strict: bool = False) -> Run:
    """An archived run by id, id prefix or name (find_run's rules); a plain one-line error if there is none."""
    try:
        return find_run(archive_root(root), ref, strict)
    except RunNotFound as exc:
        if "ambiguous" in str(exc) or "shared by" in str(exc) or "not a run" in str(exc):
            raise
        raise RunNotFound(f"no archived run '{ref}' (see `aigc-tui runs --all`)") from None


def find_any(root: Path, ref: str, strict: bool = False) -> Run:
    """A run among the active ones, else among the archived ones."""
    try:
        return find_run(root, ref, strict)
    except RunNotFound as exc:
        try:
            return find_archived(root, ref, strict)
        except RunNotFound:
            raise exc from None


def live_reason(run: Run) -> str | None:
    """Why the run cannot be touched now (its state and pid), or None when it is idle.

    Queued with no pid (no worker has claimed it: its launcher died) counts as idle; the worker
    lock the operation then takes refuses it while a launcher is starting its worker."""
    return _live_reason(run, RunStatus.read(run.path))  # judges liveness: a vanished worker reads as lost


def _live_reason(run: Run, status: RunStatus) -> str | None:
    if not status.state.is_live or (status.state is RunState.QUEUED and status.pid is None):
        return None
    if elsewhere(status):  # cannot be checked from here: name the host and the way out (G27)
        return f"run {run.id} is {status.state.value} ({worker_words(status)}); {force_hint(run.path)}"
    pid = f" (pid {status.pid})" if status.pid else ""
    return f"run {run.id} is {status.state.value}{pid}; stop it first"


def check_idle(run: Run) -> None:
    status = RunStatus.read(run.path)
    reason = _live_reason(run, status)
    if reason:
        raise RunBusy(reason, None if elsewhere(status) else f"`aigc-tui stop {cli_ref(run.path)}`, or `x` in the app's Runs")


@contextmanager
def idle_run(run: Run) -> Iterator[None]:
    """Hold the run's worker lock while the run is not live; refuse (RunBusy) otherwise."""
    check_idle(run)
    try:
        lock = RunLock.acquire(run.path, ending_grace_s=0.0)
    except RunBusy:
        pid = holder_pid(run.path)
        who = f"pid {pid}" if pid else "a starting worker"
        raise RunBusy(f"run {run.id} has a live worker ({who}); wait for it to end") from None
    try:
        check_idle(run)  # a launcher may have written `queued` just before we took the lock
        yield
    finally:
        lock.close()


def _rename(source: Path, dest: Path, what: str) -> None:
    if dest.exists():
        raise AigcError(f"cannot {what}: {dest} already exists")
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.rename(source, dest)


def delete_run(run: Run) -> None:
    """Remove a run's directory for good (archived runs too)."""
    refuse_symlinked(run)  # renaming the link aside then rmtree on it fails half-way (tester6 G33)
    with idle_run(run):
        refuse_if_needed(run.path.parent.parent if is_archived(run) else run.path.parent, run.path, f"run {run.id}")
        tomb = run.path.with_name(f"{TOMBSTONE_PREFIX}{run.id}-{secrets.token_hex(3)}")
        os.rename(run.path, tomb)
        shutil.rmtree(tomb)


def archive_run(run: Run) -> Path:
    """Move a run to `.archive/<id>` beside it, under its runs root (hidden; unarchive brings it back)."""
    if is_archived(run):
        raise AigcError(f"run {run.id} is already archived")
    dest = archive_root(run.path.parent) / run.id  # beside the run (a run named by its path may live elsewhere)
    with idle_run(run):
        _rename(run.path, dest, f"archive run {run.id}")
    return dest


def unarchive_run(run: Run) -> Path:
    """Move an archived run back under the runs root."""
    if not is_archived(run):
        raise AigcError(f"run {run.id} is not archived")
    dest = run.path.parent.parent / run.id
    with idle_run(run):
        _rename(run.path, dest, f"unarchive run {run.id}")
    return dest


def clean_tombstones(root: Path) -> list[str]:
    """Remove what a delete killed mid-way left behind (`.deleting-*` folders nobody holds)."""
    cleaned = []
    for parent in (Path(root), archive_root(root)):
        if not parent.is_dir():
            continue
        for entry in parent.iterdir():
            if entry.name.startswith(TOMBSTONE_PREFIX) and entry.is_dir() and not entry.is_symlink():
                try:
                    lock = RunLock.acquire(entry, ending_grace_s=0.0)
                except RunBusy:
                    continue  # a delete in progress
                try:
                    shutil.rmtree(entry, ignore_errors=True)
                finally:
                    lock.close()
                cleaned.append(entry.name)
    return cleaned


def resolve_runs(root: Path, refs: list[str], archived: bool | None = None, strict: bool = True) -> list[Run]:
    """Every run named, all found before anything changes (one bad name: nothing is done).

    `archived`: True looks only in the archive, False only among active runs (an archived
    one is named as such), None in both. `strict` (rm, archive, unarchive): find_run's strict
    rules, and a symlinked run folder is refused.
    """
    runs: list[Run] = []
    for ref in refs:
        if archived is True:
            run = find_archived(root, ref, strict)
        elif archived is False:
            try:
                run = find_run(root, ref, strict)
            except RunNotFound as exc:
                try:
                    find_archived(root, ref, strict)
                except RunNotFound:
                    raise exc from None
                raise AigcError(f"run {ref} is already archived (`aigc-tui unarchive {ref}` brings it back)") from None
        else:
            run = find_any(root, ref, strict)
        if strict:
            refuse_symlinked(run)
        if run.path not in (r.path for r in runs):
            runs.append(run)
    return runs
