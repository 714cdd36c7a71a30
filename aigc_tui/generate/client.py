"""Talk to the generation helper process; imports no torch, so the app stays light."""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from aigc_tui.paths import app_home

Event = dict[str, Any]
TERMINAL_EVENTS = ("done", "error", "image", "fill", "probs")
IDLE_ENV = "AIGC_TUI_HELPER_IDLE_S"
DEFAULT_IDLE_S = 300.0


def idle_seconds() -> float:
    """How long the helper may sit idle before it is shut down (`$AIGC_TUI_HELPER_IDLE_S`; 0 = never)."""
    try:
        return max(0.0, float(os.environ.get(IDLE_ENV, DEFAULT_IDLE_S)))
    except ValueError:
        return DEFAULT_IDLE_S


class GenerationClient:
    """Starts the helper on first use, sends requests, and routes its events by request id.

    With `on_event`, every event goes to that callback (the app's way); without one, each
    request's events queue up for `events(request_id)` (scripts' and tests' way).

    A helper with no open request for `idle_s` seconds is shut down (it frees its model, ~1 GB);
    the next request starts a fresh one, so to the caller it only looks like a model load.
    The decision is taken here, under the same lock as sending, so no request can race it.
    """

    def __init__(self, runs_dir: str | Path | None = None, on_event: Callable[[Event], None] | None = None,
                 idle_s: float | None = None) -> None:
        self.runs_dir = runs_dir
        self.on_event = on_event
        self.idle_s = idle_seconds() if idle_s is None else idle_s
        self._last_used = time.monotonic()
        self._timer: threading.Timer | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._queues: dict[str, queue.Queue[Event]] = {}
        self._open: dict[str, subprocess.Popen[str]] = {}  # request id -> the helper serving it
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _start(self) -> subprocess.Popen[str]:
        if self.running:
            assert self._proc is not None
            return self._proc
        cmd = [sys.executable, "-m", "aigc_tui.generate.helper"]
        if self.runs_dir:
            cmd += ["--runs-dir", str(self.runs_dir)]
        log_dir = app_home() / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        with open(log_dir / "generate-helper.log", "a") as errors:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                                          text=True, bufsize=1)
        threading.Thread(target=self._read, args=(self._proc,), daemon=True, name="generate-helper").start()
        return self._proc

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            self._deliver(event)
        code = proc.wait()  # reaped here, also after an idle shutdown: no zombie
        with self._lock:
            if self._proc is proc:
                self._proc = None  # the next request starts a fresh helper
            pending = [rid for rid, owner in self._open.items() if owner is proc]
        for rid in pending:  # the helper died: every open request ends with a clear error
            self._deliver({"id": rid, "event": "error", "message": f"the generation helper exited (code {code})"})

    def _deliver(self, event: Event) -> None:
        rid = event.get("id")
        with self._lock:
            q = self._queues.get(rid) if rid is not None else None
            if event.get("event") in TERMINAL_EVENTS:
                self._open.pop(rid, None)
                self._used()
        if q is not None:
            q.put(event)
        if self.on_event is not None:
            self.on_event(event)

    def _send(self, request: dict[str, Any]) -> str:
        rid = request.setdefault("id", f"r{next(self._ids)}")
        with self._lock:
            proc = self._start()
            self._open[rid] = proc
            self._used()
            if self.on_event is None:
                self._queues[rid] = queue.Queue()
        assert proc.stdin is not None
        try:
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self._deliver({"id": rid, "event": "error", "message": "the generation helper is not running"})
        return rid

    def _used(self) -> None:
        """Note activity and make sure an idle check is pending (caller holds the lock)."""
        self._last_used = time.monotonic()
        if self.idle_s > 0 and self._timer is None:
            self._arm(self.idle_s)

    def _arm(self, delay: float) -> None:
        self._timer = threading.Timer(delay, self._idle_check)
        self._timer.daemon = True
        self._timer.start()

    def _idle_check(self) -> None:
        with self._lock:
            self._timer = None
            if not self.running:
                return
            left = self.idle_s - (time.monotonic() - self._last_used)
            if self._open or left > 0:  # busy, or used since: look again later
                self._arm(max(left, 0.05) if not self._open else self.idle_s)
                return
            proc, self._proc = self._proc, None  # the next request starts a fresh helper
        self._shutdown(proc)

    @staticmethod
    def _shutdown(proc: subprocess.Popen[str] | None) -> None:
        """Ask a helper to exit; its reader thread reaps it."""
        if proc is None or proc.stdin is None:
            return
        try:
            proc.stdin.write(json.dumps({"op": "shutdown"}) + "\n")
            proc.stdin.close()
        except (OSError, ValueError):
            proc.kill()

    def generate(self, model: str, prompt: str, device: str = "cpu", **params: Any) -> str:
        return self._send({"op": "generate", "model": model, "prompt": prompt, "device": device, "params": params})

    def gan_grid(self, checkpoint: str | Path, out: str | Path, n: int = 64, seed: int = 0) -> str:
        return self._send({"op": "gan_grid", "checkpoint": str(checkpoint), "out": str(out), "n": n, "seed": seed})

    def gan_interpolate(self, checkpoint: str | Path, out: str | Path, seed_a: int, seed_b: int, steps: int = 8) -> str:
        return self._send({"op": "gan_interpolate", "checkpoint": str(checkpoint), "out": str(out),
                           "seed_a": seed_a, "seed_b": seed_b, "steps": steps})

    def fill_mask(self, model: str, text: str, top_k: int = 5, device: str = "cpu") -> str:
        return self._send({"op": "fill_mask", "model": model, "text": text, "top_k": top_k, "device": device})

    def classify(self, model: str, text: str, device: str = "cpu") -> str:
        return self._send({"op": "classify", "model": model, "text": text, "device": device})

    def cancel(self, request_id: str) -> None:
        with self._lock:
            proc = self._open.get(request_id)
        if proc is not None and proc.poll() is None and proc.stdin is not None:
            try:
                proc.stdin.write(json.dumps({"op": "cancel", "id": request_id}) + "\n")
                proc.stdin.flush()
            except (OSError, ValueError):
                pass  # it just ended: its reader reports the request

    def events(self, request_id: str, timeout: float = 120.0) -> Iterator[Event]:
        """Events of one request until its last (done, error or image)."""
        q = self._queues.get(request_id)
        if q is None:
            return
        while True:
            event = q.get(timeout=timeout)
            yield event
            if event.get("event") in TERMINAL_EVENTS:
                with self._lock:
                    self._queues.pop(request_id, None)
                return

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if self._proc is None:
            return
        try:
            if self._proc.stdin:
                self._proc.stdin.write(json.dumps({"op": "shutdown"}) + "\n")
                self._proc.stdin.close()
            self._proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired, ValueError):
            self._proc.kill()
        self._proc = None
