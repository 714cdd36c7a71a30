"""The supervisor of a script run: `python -m aigc_tui.launch.supervise RUN_DIR`.

Started detached (its own session) by `aigc-tui run`, it starts the command in a session of
its own too (its pid, the process group leader, is the run's pid in status.json), copies its
stderr into log.txt while keeping the tail, acts on stop requests (SIGINT, then SIGTERM and
SIGKILL after a grace period each; a script that polls `should_stop()` first gets time to
stop itself) and writes the end state from the exit status. Closing the app or the SSH
connection reaches neither process.
"""

from __future__ import annotations

import collections
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import BinaryIO

from aigc_tui.errors import AigcError
from aigc_tui.launch.script import wait_for_gpus
from aigc_tui.runs.control import take_requests
from aigc_tui.runs.lock import RunLock
from aigc_tui.runs.members import open_append
from aigc_tui.runs.queue import DeviceLease, QueueCancelled
from aigc_tui.runs.script import RUN_DIR_ENV, clear_stop_requests, stop_polled, stop_requests
from aigc_tui.runs.status import RunState, RunStatus, process_start_time, update_status
from aigc_tui.runs.store import Run

POLL_SECONDS = 0.25
TAIL_LINES = 15
PROGRESS_SECONDS = 2.0
ESCALATION = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)


class StderrTail:
    """Copies the command's stderr into log.txt as it comes and keeps the last bytes.

    Progress bars (tqdm redraws a line with `\r`) are collapsed: a line is written once
    complete, as its last redraw, and an unfinished one at most every PROGRESS_SECONDS, so
    log.txt and the app's log tail hold a readable line per update instead of thousands.
    """

    def __init__(self, pipe: BinaryIO, log: BinaryIO) -> None:
        self.pipe, self.log = pipe, log
        self.tail: collections.deque[bytes] = collections.deque(maxlen=64)
        self.thread = threading.Thread(target=self._copy, name="stderr", daemon=True)
        self.thread.start()

    def _copy(self) -> None:
        pending, shown_at = b"", time.monotonic()
        while chunk := os.read(self.pipe.fileno(), 65536):
            *lines, pending = (pending + chunk).split(b"\n")
            out = [line.rstrip(b"\r").rsplit(b"\r", 1)[-1] + b"\n" for line in lines]
            now = time.monotonic()
            if (b"\r" in pending and now - shown_at >= PROGRESS_SECONDS) or len(pending) > 65536:
                out.append(pending.rstrip(b"\r").rsplit(b"\r", 1)[-1] + b"\n")
                pending, shown_at = b"", now
            if out:
                data = b"".join(out)
                self.log.write(data)
                self.log.flush()
                self.tail.append(data)
        if pending:
            self.log.write(pending.rsplit(b"\r", 1)[-1] + b"\n")
            self.log.flush()
            self.tail.append(pending)

    def lines(self) -> list[str]:
        text = b"".join(self.tail)[-16384:].decode("utf-8", errors="replace")
        return [ln.rstrip() for ln in text.replace("\r", "\n").split("\n") if ln.strip()][-TAIL_LINES:]


class Supervisor:
    def __init__(self, run: Run) -> None:
        self.run = run
        config = run.config()
        self.script = config.get("script", {})
        self.grace = float(self.script.get("grace", 30.0))
        self.self_stop = float(self.script.get("self_stop_timeout", 600.0))
        self.log = os.fdopen(open_append(run.log_path), "ab")
        self.stop_seen: int = 0  # how many stop requests were seen
        self.stop_at: float | None = None  # when the first stop request was seen
        self.stage = -1  # index into ESCALATION of the last signal sent
        self.next_at = 0.0
        self.proc: subprocess.Popen[bytes] | None = None
        self.lease: DeviceLease | None = None  # GPUs from the queue, held until the command ends

    def say(self, message: str) -> None:
        self.log.write(f"[aigc-tui {time.strftime('%H:%M:%S')}] {message}\n".encode())
        self.log.flush()

    def start(self) -> bool:
        command = [str(c) for c in self.script.get("command", [])]
        env = dict(os.environ, **{RUN_DIR_ENV: str(self.run.path), "PYTHONUNBUFFERED": "1"})
        gpus = self.script.get("gpus")
        try:
            lease = wait_for_gpus(self.run, str(gpus or ""), self.say)
        except QueueCancelled as exc:
            self.say(f"{exc}; left the queue")
            self.end(RunState.STOPPED)
            clear_stop_requests(self.run.path)
            return False
        except AigcError as exc:  # the GPUs named at launch are gone
            self.end(RunState.FAILED, error=str(exc))
            return False
        device, keep = "", ()
        if lease is not None:
            lease.keep_across_exec()  # the command holds its GPUs even if this process is killed
            keep, self.lease = lease.fds, lease
            env["CUDA_VISIBLE_DEVICES"] = ",".join(map(str, lease.devices))
            device = f"cuda:{lease.devices[0]} (gpus {env['CUDA_VISIBLE_DEVICES']})"
        elif gpus is not None:
            env["CUDA_VISIBLE_DEVICES"] = ""  # --gpus none: CPU only
            device = "cpu"
        cwd = self.script.get("cwd") or None
        self.say(f"starting in {cwd or '.'}: {shlex.join(command)}")
        try:
            self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=self.log,
                                         stderr=subprocess.PIPE, start_new_session=True, close_fds=True,
                                         pass_fds=keep)
        except OSError as exc:
            self.end(RunState.FAILED, error=f"could not start {command[0] if command else 'the command'}: {exc}")
            return False
        pid, me = self.proc.pid, os.getpid()

        def running(status: RunStatus) -> bool:
            status.state = RunState.RUNNING
            status.pid, status.pid_start, status.host = pid, process_start_time(pid), socket.gethostname()
            status.supervisor_pid, status.supervisor_start = me, process_start_time(me)
            status.device, status.queue_position, status.waiting_for = device, None, ""
            status.started_at = status.started_at or time.time()
            status.throughput_unit = status.throughput_unit or "steps/s"
            status.error = status.traceback = status.ended_at = status.exit_code = None
            return True

        update_status(self.run.path, running)
        return True

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        self.say(f"sending {sig.name} to process group {self.proc.pid}")
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def escalate(self) -> None:
        if self.stage + 1 < len(ESCALATION):
            self.stage += 1
            self.signal(ESCALATION[self.stage])
        self.next_at = time.monotonic() + self.grace

    def check_stop(self) -> None:
        count = len(stop_requests(self.run.path))
        now = time.monotonic()
        if count > self.stop_seen:
            first = self.stop_seen == 0
            self.stop_seen = count
            if first:
                self.stop_at = now
                if stop_polled(self.run.path):
                    self.say(f"stop requested: waiting up to {self.self_stop:.0f}s for the script to stop itself"
                             " (it checks should_stop); stop again to interrupt it")
                    self.next_at = now + self.self_stop
                else:
                    self.say("stop requested")
                    self.escalate()
            else:
                self.say("stop requested again")
                self.escalate()
        elif self.stop_at is not None and now >= self.next_at:
            self.say(f"still running after {self.grace if self.stage >= 0 else self.self_stop:.0f}s")
            self.escalate()

    def wait(self) -> int:
        assert self.proc is not None and self.proc.stderr is not None
        tail = StderrTail(self.proc.stderr, self.log)
        while (code := self.proc.poll()) is None:
            self.check_stop()
            time.sleep(POLL_SECONDS)
        tail.thread.join(timeout=5)  # output of children that outlive the leader is not waited for
        self.finish(code, tail.lines())
        return code

    def finish(self, code: int, lines: list[str]) -> None:
        how = f"exit code {code}" if code >= 0 else f"killed by {signal.Signals(-code).name}"
        if self.stop_at is None and stop_requests(self.run.path):
            self.stop_at = time.monotonic()  # the script saw the request and ended before our poll did
        if self.stop_at is not None:
            self.say(f"stopped ({how})")
            self.end(RunState.STOPPED, code)
        elif code == 0:
            self.say("finished")
            self.end(RunState.FINISHED, code)
        elif code == -signal.SIGKILL:
            # As for our own workers: a SIGKILL nobody asked for (kill -9, the OOM killer) leaves
            # no end state, and readers judge the run lost from its dead pid.
            self.say(f"{how} (kill -9 or the out-of-memory killer): the run reads as lost")
        else:
            error = f"{how}: {lines[-1]}" if lines else how
            self.say(f"failed: {error}")
            self.end(RunState.FAILED, code, error=error[:500], traceback="\n".join(lines))
        clear_stop_requests(self.run.path)
        take_requests(self.run.path)  # save or sample requests nobody will act on any more

    def end(self, state: RunState, code: int | None = None, error: str | None = None,
            traceback: str | None = None) -> None:
        def mutate(status: RunStatus) -> bool:
            status.state, status.exit_code, status.ended_at = state, code, time.time()
            status.error, status.traceback = error, traceback
            return True

        update_status(self.run.path, mutate)


def supervise(run_dir: Path, lock_fd: int | None = None) -> int:
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    run = Run(Path(run_dir).resolve())
    lock = RunLock.adopt(lock_fd, run.path) if lock_fd is not None else RunLock.acquire(run.path)
    update_status(run.path, _claim)  # before the GPU queue: a launcher killed at once left no pid
    supervisor = Supervisor(run)
    # SIGTERM or SIGINT to the supervisor (a shutdown, `kill`) is a stop request for the
    # command. Handlers (unlike an inherited SIG_IGN, which `&` in a script sets for SIGINT)
    # reset to the default in the child, so the command can be interrupted.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: _request_stop(run))
    try:
        if not supervisor.start():
            return 1
        code = supervisor.wait()
    finally:
        lock.close()
    return 0 if code == 0 else 1


def _claim(status: RunStatus) -> bool:
    """Record this supervisor as the run's process unless its launcher already did, so a run that
    waits for GPUs has a pid: it never reads lost, and a stop request reaches it."""
    if status.pid is not None:
        return False
    me = os.getpid()
    status.state, status.pid, status.pid_start = RunState.QUEUED, me, process_start_time(me)
    status.host = socket.gethostname()
    return True


def _request_stop(run: Run) -> None:
    from aigc_tui.runs.control import ControlAction, request_control

    request_control(run.path, ControlAction.STOP)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="aigc_tui.launch.supervise")
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--lock-fd", type=int, default=None, help="the run's worker lock, handed over by the launcher")
    args = parser.parse_args(argv)
    return supervise(args.run_dir, args.lock_fd)


if __name__ == "__main__":
    sys.exit(main())
