"""A device queue without a daemon: per-device lock files under the runs root.

A worker holds an `fcntl` lock on `<root>/.devices/<kind><i>.lock` for each device it uses,
for its whole life, so a killed worker frees its devices at once (the kernel drops the lock).
A run whose devices are held waits as `queued`: it writes a ticket to `<root>/.queue/`, and
its position is the number of live tickets ahead of it that want any of the same devices.
Pure Python; imports neither torch nor textual. `track`'s `aigc-tui run -- CMD` uses
`request_for` + `wait_for_devices` too.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aigc_tui.errors import AigcError, DeviceError
from aigc_tui.runs.atomic import atomic_write_json
from aigc_tui.runs.status import pid_alive, process_start_time

DEVICES_DIR = ".devices"
QUEUE_DIR = ".queue"
POLL_SECONDS = 0.5


class QueueCancelled(AigcError):
    """The run was stopped while it waited for its devices."""


@dataclass(frozen=True)
class DeviceRequest:
    """Which devices could serve a run and how many it needs (all of them when `exact`)."""

    kind: str  # "gpu" or "cpu" (a CPU slot)
    candidates: tuple[int, ...]
    count: int

    @property
    def exact(self) -> bool:
        return self.count == len(self.candidates)

    def describe(self) -> str:
        ids = ",".join(map(str, self.candidates))
        if self.exact:
            return f"{self.kind} {ids}"
        return f"any {self.count} of {self.kind} {ids}"


def visible_gpus() -> list[int]:
    """GPU indices this process may use: CUDA_VISIBLE_DEVICES when set, else all NVML sees."""
    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    if env is not None:
        return [int(x) for x in env.split(",") if x.strip().isdigit()]
    try:
        import pynvml

        pynvml.nvmlInit()
    except Exception:  # no driver, no GPU, no pynvml
        return []
    try:
        return list(range(pynvml.nvmlDeviceGetCount()))
    except Exception:
        return []
    finally:
        try:
            pynvml.nvmlShutdown()
        except Exception:
            pass


def request_for(gpus: str, nproc: int = 1, slots: int = 0, available: list[int] | None = None,
                cpu_hint: str = "use --device cpu [--nproc N]") -> DeviceRequest | None:
    """The request a run's `run.gpus` / `run.nproc` / `run.slots` make; None: no queue.
    `cpu_hint`: how the caller's command runs on the CPU instead (`run` has its own spelling)."""
    if gpus:
        present = visible_gpus() if available is None else available
        if gpus == "all" or gpus.startswith("any:"):
            if not present:
                raise DeviceError(f"gpus = {gpus!r}: this machine has no GPU; {cpu_hint}")
            count = len(present) if gpus == "all" else int(gpus.split(":")[1])
            if count > len(present):
                raise DeviceError(f"gpus = {gpus!r}: this machine has only {len(present)} GPU(s)")
            return DeviceRequest("gpu", tuple(present), count)
        wanted = tuple(int(x) for x in gpus.split(","))
        if len(set(wanted)) != len(wanted):
            raise DeviceError(f"gpus = {gpus!r} names a GPU twice")
        missing = [g for g in wanted if g not in present]
        if missing:
            raise DeviceError(f"gpus = {gpus!r}: no GPU {missing[0]} here (present: {present or 'none'})")
        return DeviceRequest("gpu", wanted, len(wanted))
    if slots:
        return DeviceRequest("cpu", tuple(range(slots)), nproc)
    return None


@dataclass
class DeviceLease:
    """Devices held by this process; the locks go when it ends or calls `release`."""

    request: DeviceRequest
    devices: list[int]
    _handles: list[Any] = field(default_factory=list, repr=False)

    def release(self) -> None:
        for handle in self._handles:
            handle.close()
        self._handles.clear()

    @property
    def fds(self) -> tuple[int, ...]:
        """The lock descriptors, for `pass_fds` when a child program is to hold the devices."""
        return tuple(handle.fileno() for handle in self._handles)

    def keep_across_exec(self) -> None:
        """Let the lock descriptors survive an exec, so the new program keeps the devices."""
        for handle in self._handles:
            os.set_inheritable(handle.fileno(), True)


def try_acquire(root: Path, request: DeviceRequest, holder: str) -> DeviceLease | None:
    """Take the first `count` free devices among the candidates, or none at all."""
    folder = Path(root) / DEVICES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    lease = DeviceLease(request, [])
    for index in request.candidates:
        handle = open(folder / f"{request.kind}{index}.lock", "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            if request.exact:
                break
            continue
        handle.truncate(0)
        handle.write(f"{holder} {os.getpid()}\n")
        handle.flush()
        lease._handles.append(handle)
        lease.devices.append(index)
        if len(lease.devices) == request.count:
            return lease
    lease.release()
    return None


def holders(root: Path, kind: str = "gpu") -> dict[int, str]:
    """Which run holds each busy device (for the launch picker and error messages)."""
    folder = Path(root) / DEVICES_DIR
    held: dict[int, str] = {}
    if not folder.is_dir():
        return held
    for path in folder.glob(f"{kind}*.lock"):
        with open(path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                held[int(path.stem[len(kind):])] = handle.read().split(" ")[0]
            else:
                fcntl.flock(handle, fcntl.LOCK_UN)
    return held


def _ticket_alive(data: dict[str, Any]) -> bool:
    pid = data.get("pid")
    if not isinstance(pid, int) or not pid_alive(pid):
        return False
    start = data.get("pid_start")
    return start is None or process_start_time(pid) in (None, start)


def queue_ahead(root: Path, ticket: Path, request: DeviceRequest) -> int:
    """Live tickets older than ours that want any of our devices (dead ones are swept)."""
    ahead = 0
    for path in sorted((Path(root) / QUEUE_DIR).glob("*.json")):
        if path.name >= ticket.name:
            break
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not _ticket_alive(data):
            path.unlink(missing_ok=True)
            continue
        if data.get("kind") == request.kind and set(data.get("candidates", ())) & set(request.candidates):
            ahead += 1
    return ahead


def wait_for_devices(
    root: Path,
    run_id: str,
    request: DeviceRequest,
    on_position: Callable[[int], None] = lambda _p: None,
    cancelled: Callable[[], bool] = lambda: False,
    poll: float = POLL_SECONDS,
) -> DeviceLease:
    """Block until the devices are ours, first come first served; `on_position(n)` while waiting.

    Position 1 means next in line (it waits only for the devices to free). Raises
    QueueCancelled when `cancelled()` turns true, having left the queue.
    """
    lease = try_acquire(root, request, run_id)
    if lease is not None and not _anyone_waiting(root, request):
        return lease
    if lease is not None:
        lease.release()
    pid = os.getpid()
    ticket = Path(root) / QUEUE_DIR / f"{time.time_ns():020d}-{run_id}.json"
    atomic_write_json(ticket, {"run": run_id, "pid": pid, "pid_start": process_start_time(pid),
                               "kind": request.kind, "candidates": list(request.candidates), "count": request.count})
    last = -1
    try:
        while True:
            if cancelled():
                raise QueueCancelled(f"run {run_id} was stopped while queued for {request.describe()}")
            ahead = queue_ahead(root, ticket, request)
            if ahead == 0:
                lease = try_acquire(root, request, run_id)
                if lease is not None:
                    return lease
            if ahead + 1 != last:
                last = ahead + 1
                on_position(last)
            time.sleep(poll)
    finally:
        ticket.unlink(missing_ok=True)


def _anyone_waiting(root: Path, request: DeviceRequest) -> bool:
    """A free device still goes to whoever queued for it first."""
    sentinel = Path(root) / QUEUE_DIR / "~"  # sorts after every ticket
    return queue_ahead(root, sentinel, request) > 0
