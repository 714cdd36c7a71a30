"""status.json: the run's state, written atomically by the worker, judged for liveness by readers."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from aigc_tui.errors import DISK_FULL, AigcError
from aigc_tui.runs.atomic import atomic_write_bytes, rewrite_in_place
from aigc_tui.runs.layout import STATUS_FILE, STATUS_LOCK_FILE
from aigc_tui.runs.strict_json import dumps


@contextmanager
def status_lock(run_dir: Path) -> Iterator[None]:
    """Serialises status writers (launcher and worker) so neither clobbers the other."""
    fd = os.open(Path(run_dir) / STATUS_LOCK_FILE, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    with os.fdopen(fd, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


TRACEBACK_LINES = 15


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    STOPPED = "stopped"
    LOST = "lost"  # a reader's verdict on a worker that vanished; written only by `stop --force` (another host)

    @property
    def is_live(self) -> bool:
        return self in (RunState.QUEUED, RunState.RUNNING)



LIVE_STATES = frozenset(s.value for s in RunState if s.is_live)  # as strings, for rows that hold them


@dataclass
class RunStatus:
    state: RunState = RunState.QUEUED
    pid: int | None = None
    pid_start: int | None = None
    host: str = field(default_factory=socket.gethostname)
    device: str = ""
    step: int = 0
    total_steps: int = 0
    started_at: float | None = None
    resumed_at: float | None = None  # when this worker session began (a resume starts a new one)
    resumed_step: int | None = None  # the step it began at (a resume or a keep-step fork starts past 0)
    earlier_s: float = 0.0  # seconds trained by the run's earlier sessions (pauses not counted)
    updated_at: float = field(default_factory=time.time)
    ended_at: float | None = None
    error: str | None = None
    traceback: str | None = None
    throughput: float | None = None
    throughput_unit: str = ""
    exit_code: int | None = None  # a script run's exit status (negative: killed by that signal)
    supervisor_pid: int | None = None  # a script run's supervisor, which writes its end state
    supervisor_start: int | None = None
    queue_position: int | None = None  # while queued for devices: 1 = next in line
    waiting_for: str = ""  # the devices a queued run waits for
    starting: bool = False  # queued no more: its worker has its devices (or needs none) and is starting up
    world_size: int = 1  # processes training the run (torchrun)
    rank_step_ms: list[float] = field(default_factory=list)  # per-rank step time, so a straggler shows
    parent: dict[str, Any] | None = None
    """Where the run came from: {"run", "step", "checkpoint", "how"} (fine-tune, fork), written at creation."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = self.state.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunStatus:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["state"] = RunState(known.get("state", "queued"))
        return cls(**known)

    def set_failure(self, exc: BaseException) -> None:
        """Record why the run failed: the exception's first line, and the traceback's last 15 lines.

        An expected failure (AigcError: divergence, unusable data) keeps its one line and hint
        and no traceback: there is no bug to chase.
        """
        if isinstance(exc, AigcError):
            self.error, self.traceback = exc.one_line().splitlines()[0][:500], None
            return
        self.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
        lines = "".join(traceback.format_exception(exc)).splitlines()
        self.traceback = "\n".join(lines[-TRACEBACK_LINES:])

    def bank_session(self) -> None:
        """Add the ended session's training time to `earlier_s` and clear `ended_at`: a run
        stopped for hours and resumed shows the time it trained, not the time since it began.
        A killed session (lost: no end written) counts up to its last status write."""
        start = self.session_start()
        end = self.ended_at or (self.updated_at if self.state is RunState.LOST else None)  # killed: its last write
        if end and start:
            self.earlier_s += max(0.0, end - start)
        self.ended_at = None
        self.resumed_at = None  # banked: the next session sets its own start once it trains

    def session_start(self) -> float | None:
        """When the current (or last) session began training: None when it has not (queued
        again after a banked session). Old status files without resumed_at: the first start."""
        return self.resumed_at or (self.started_at if not self.earlier_s else None)

    def write(self, run_dir: Path) -> None:
        self.updated_at = time.time()
        with status_lock(run_dir):
            _store(run_dir, self)

    @classmethod
    def read(cls, run_dir: Path) -> RunStatus:
        """Read status.json and judge liveness: a live state whose worker is gone reads as lost."""
        path = Path(run_dir) / STATUS_FILE
        try:
            status = cls.from_json(json.loads(path.read_text()))
        except FileNotFoundError:
            return cls(state=RunState.LOST, error="status.json is missing")
        except (json.JSONDecodeError, ValueError, TypeError) as exc:
            return cls(state=RunState.LOST, error=f"status.json is unreadable: {exc}")
        if status.state.is_live and not worker_alive(status):
            status.error = (
                f"worker pid {status.pid} on {status.host} is gone without writing an end state"
                " (killed, out of memory or rebooted)"
            )
            status.state = RunState.LOST
        return status


def process_start_time(pid: int) -> int | None:
    """Start time of a pid in clock ticks (Linux), to tell a reused pid from ours."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    try:
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (IndexError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead for our purposes
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True


NEVER_STARTED_SECONDS = 120


def worker_alive(status: RunStatus) -> bool:
    """True unless we can tell the worker is gone (same host, pid dead or reused, never started).

    A script run also counts as alive while its supervisor is, which is about to write the
    end state of a command that has just ended.
    """
    if status.pid is None:  # created but no worker claimed it: fine for a moment, lost after that
        return time.time() - status.updated_at < NEVER_STARTED_SECONDS
    if status.host != socket.gethostname():
        return True  # cannot judge another host's process; trust the file
    if _same_process_alive(status.pid, status.pid_start):
        return True
    return status.supervisor_pid is not None and _same_process_alive(status.supervisor_pid, status.supervisor_start)


def elsewhere(status: RunStatus) -> bool:
    """A live run whose worker is on another host: this machine cannot check that it still runs."""
    return status.state.is_live and status.pid is not None and status.host != socket.gethostname()


def worker_words(status: RunStatus) -> str:
    """The run's worker for a message: `pid 123` here; on another host, where, the age of its last
    update and that it cannot be checked from here (a pid alone would read as a local one)."""
    if status.pid is None:
        return "no worker yet"
    if not elsewhere(status):
        return f"pid {status.pid}"
    from aigc_tui.runs.summary import format_duration

    ago = format_duration(max(0.0, time.time() - status.updated_at))
    return f"pid {status.pid} on {status.host}, last update {ago} ago; this machine cannot check it"


def force_hint(run_dir: Path) -> str:
    """The way out for a run whose worker on another host is gone (G27)."""
    from aigc_tui.runs.layout import cli_ref

    return f"if that worker is gone, `aigc-tui stop --force {cli_ref(run_dir)}` marks the run lost"


def supervisor_gone(status: RunStatus) -> bool:
    """A script run whose supervisor (which acts on stops and records the end) died, here, while
    its command still runs: nothing will act on a stop request (tester6 G10)."""
    return (status.state.is_live and status.supervisor_pid is not None and status.pid is not None
            and status.pid != status.supervisor_pid and status.host == socket.gethostname()
            and not _same_process_alive(status.supervisor_pid, status.supervisor_start)
            and _same_process_alive(status.pid, status.pid_start))


def _same_process_alive(pid: int, start: int | None) -> bool:
    if not pid_alive(pid):
        return False
    if start is not None:
        started = process_start_time(pid)
        if started is not None and started != start:
            return False
    return True


def update_status(run_dir: Path, mutate: Callable[[RunStatus], bool]) -> RunStatus:
    """Read, change and write status.json under the lock; `mutate` returns False to leave it."""
    with status_lock(run_dir):
        status = RunStatus.read(run_dir)
        if mutate(status):
            status.updated_at = time.time()
            _store(run_dir, status)
    return status


def _store(run_dir: Path, status: RunStatus) -> None:
    """Write status.json atomically. An end state the full disk refuses is written in place
    instead (`rewrite_in_place`): a run must not read `lost` only because its disk filled up.
    A failure raises the OSError, naming status.json."""
    path = Path(run_dir) / STATUS_FILE
    data = (dumps(status.to_json(), indent=2, sort_keys=True) + "\n").encode("utf-8")
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        if exc.errno not in DISK_FULL or status.state.is_live or not path.is_file():
            raise
        try:
            rewrite_in_place(path, data)
        except OSError:
            raise exc from None


def mark_queued(run_dir: Path, pid: int, by_launcher: bool = False) -> RunStatus:
    """Record `pid` as the run's worker, queued, clearing the last end state and error.

    The launcher (right after spawning) and the worker (first thing it does) both call this,
    whichever comes first, so a crash at any moment reads as lost rather than as the old state.
    The worker's own word wins: the launcher never overwrites what its worker already wrote.
    """
    pid_start = process_start_time(pid)

    def mutate(status: RunStatus) -> bool:
        if status.pid == pid and (by_launcher or status.state.is_live):
            return False
        status.bank_session()  # before the state changes: a lost session counts to its last write
        status.state = RunState.QUEUED
        status.pid, status.pid_start, status.host = pid, pid_start, socket.gethostname()  # resumed here (H5)
        status.queue_position, status.waiting_for, status.starting = None, "", False  # a new session
        status.error = status.traceback = None
        return True

    return update_status(run_dir, mutate)
