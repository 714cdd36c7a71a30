"""One worker per run: an exclusive `flock` on `<run>/.worker.lock`, held for the worker's whole life.

The launcher takes the lock *before* it starts a worker and hands the locked descriptor to
the child (`pass_fds`), so the lock is held without a gap from the check to the worker's
end: of any number of simultaneous starts exactly one gets a worker, the others are refused
with the live pid. The kernel drops the lock when the last process holding it exits (even
on SIGKILL), so a dead worker never leaves a stale lock behind.

Never `LOCK_UN` a lock handed to a child: the parent and the child share one open file
description, and unlocking it would free the child's lock too. Just `close()` it.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from aigc_tui.errors import RunBusy, RunNotFound

WORKER_LOCK_FILE = ".worker.lock"
ENDING_GRACE_S = 60.0


def _open(run_dir: Path) -> int:
    path = Path(run_dir) / WORKER_LOCK_FILE
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if not os.path.isdir(run_dir):
            raise RunNotFound(f"run {Path(run_dir).name} was moved or deleted (archived?) while it was starting",
                              "`aigc-tui runs --all` lists archived runs") from None
        if os.path.islink(path):
            raise RunBusy(f"{path} is a symlink; refusing to follow it") from None
        raise RunBusy(f"cannot open the run's lock file {path}: {exc.strerror}") from None


def _still_there(fd: int, run_dir: Path) -> bool:
    """The locked file is still the run's lock file (not one renamed away with its run)."""
    try:
        return os.fstat(fd).st_ino == os.stat(Path(run_dir) / WORKER_LOCK_FILE, follow_symlinks=False).st_ino
    except OSError:
        return False


def holder_pid(run_dir: Path) -> int | None:
    """The pid recorded by the lock's holder (None if none recorded yet)."""
    try:
        text = (Path(run_dir) / WORKER_LOCK_FILE).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


class RunLock:
    """A held worker lock; `record(pid)` names the process that works the run."""

    def __init__(self, fd: int, run_dir: Path) -> None:
        self.fd = fd
        self.run_dir = Path(run_dir)

    @classmethod
    def acquire(cls, run_dir: Path, ending_grace_s: float = ENDING_GRACE_S) -> RunLock:
        """Take the run's lock or raise RunBusy naming the live worker.

        It does not wait for a live worker; one whose status already says it ended (stopped,
        finished, failed) or is gone (lost) but is still exiting gets `ending_grace_s`.
        """
        from aigc_tui.runs.status import RunState, RunStatus

        ended = (RunState.STOPPED, RunState.FINISHED, RunState.FAILED)

        def exiting() -> bool:
            # LOST with a pid too: a killed worker's leader can read as a zombie while another of
            # its threads is still leaving a syscall (an fsync mid-checkpoint) holding the lock.
            status = RunStatus.read(run_dir)
            return status.state in ended or (status.state is RunState.LOST and status.pid is not None)

        fd = _open(run_dir)
        deadline = time.monotonic() + ending_grace_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() < deadline and exiting():
                    time.sleep(0.1)
                    continue
            os.close(fd)
            pid = holder_pid(run_dir)
            who = f"pid {pid}" if pid else "a worker that is starting"
            raise RunBusy(
                f"run {Path(run_dir).name} already has a live worker ({who}); only one worker may train a run",
                "stop it first, or wait for it to end",
            ) from None
        if not _still_there(fd, run_dir):  # moved (archived) or deleted while we waited for its lock
            os.close(fd)
            raise RunNotFound(f"run {Path(run_dir).name} was moved or deleted (archived?) while it was starting",
                              "`aigc-tui runs --all` lists archived runs; `aigc-tui unarchive RUN` brings one back")
        lock = cls(fd, run_dir)
        lock.record(os.getpid())
        return lock

    @classmethod
    def adopt(cls, fd: int, run_dir: Path) -> RunLock:
        """The lock a launcher handed over as an inherited descriptor (checked to really be held)."""
        try:
            os.set_inheritable(fd, False)
            same = os.fstat(fd).st_ino == os.stat(Path(run_dir) / WORKER_LOCK_FILE, follow_symlinks=False).st_ino
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # already ours: a no-op; else takes it or fails
        except OSError:
            same = False
        if not same:
            raise RunBusy(f"run {Path(run_dir).name}: the worker lock handed over (fd {fd}) is not this run's")
        if not _still_there(fd, run_dir):  # moved (archived) or deleted while we waited for its lock
            os.close(fd)
            raise RunNotFound(f"run {Path(run_dir).name} was moved or deleted (archived?) while it was starting",
                              "`aigc-tui runs --all` lists archived runs; `aigc-tui unarchive RUN` brings one back")
        lock = cls(fd, run_dir)
        lock.record(os.getpid())
        return lock

    def record(self, pid: int) -> None:
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{pid}\n".encode(), 0)

    def close(self) -> None:
        """Close this process's handle (a child that inherited the lock keeps holding it)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
