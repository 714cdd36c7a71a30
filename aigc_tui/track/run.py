"""A tracked run as a script sees it: log metrics, images, text, checkpoints; poll control.

`log()` is on the hot path of a training loop: it formats one JSON line by hand and hands
it to the kernel in one append (a reader can tail it at once; a kill leaves whole lines),
and touches status.json at most every couple of seconds. It never syncs a device: it wants floats (a tensor is converted by
`float()`, which is the caller's sync to avoid).
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from aigc_tui.runs.layout import CONTROL_DIR, METRICS_FILE
from aigc_tui.runs.layout import NONFINITE_METRIC as NONFINITE
from aigc_tui.runs.members import open_append
from aigc_tui.runs.script import (
    clear_stop_requests,
    mark_stop_polled,
    stop_requests,
    take_save_requests,
)
from aigc_tui.runs.status import RunState, RunStatus, update_status
from aigc_tui.track import media

STATUS_EVERY_SECONDS = 2.0
MAX_NAME = 100  # characters in a metric name
RESERVED = ("step", "time")  # the fields every metrics line has
CONTROL_POLL_SECONDS = 0.25


class Run:
    """Handle returned by `track.init()`. `supervised`: `aigc-tui run` started this process
    and decides the end state from its exit; otherwise `finish()` writes it."""

    def __init__(self, path: Path, supervised: bool, enabled: bool = True, total_steps: int | None = None) -> None:
        self.path = Path(path)
        self.id = self.path.name
        self.supervised = supervised
        self.enabled = enabled  # False on ranks other than 0: they only poll control
        self.total_steps = total_steps
        self.step = 0
        self.finished = False
        self._next_step = 0
        # One O_APPEND write per line: no user-space buffer to lose, a line lands whole or not at all
        self._fd: int | None = open_append(self.path / METRICS_FILE) if enabled else None
        self._keys: dict[str, str] = {}
        self._status_due = 0.0
        self._status_mark: tuple[float, int] | None = None
        self._control = self.path / CONTROL_DIR
        self._control_due = 0.0
        self._control_mtime = -1
        self._stop = False
        self._stop_polled = False
        self._saves = 0
        self._error: tuple[str, str] | None = None
        self.lock: Any = None  # the run's worker lock, when this process created the run

    def __repr__(self) -> str:
        return f"track.Run({self.path})"

    # --- metrics --------------------------------------------------------------------------
    def log(self, values: dict[str, Any], step: int | None = None) -> None:
        """Append one line `{"step", "time", **values}`; NaN/inf become strings (and the line gets
        `nonfinite: 1`, as a worker's interval with NaN/inf steps does); flushed now."""
        if self.finished:
            raise ValueError(f"track: run {self.id} is finished; log before run.finish()")
        if step is None:
            step = self._next_step
        elif type(step) is not int or step < 0:
            step = self._step(step)
        if self._fd is None:
            self._next_step = self.step = step
            return
        now = time.time()
        keys = self._keys
        parts = ['{"step": ', str(step), f', "time": {now:.3f}']
        finite = True
        for key, value in values.items():
            jkey = keys.get(key)
            if jkey is None:
                jkey = keys[key] = json.dumps(self._name(key))
            if type(value) is not float:
                value = self._number(key, value)
            if value - value == 0.0:
                parts += (", ", jkey, ": ", repr(value))
            else:  # nan, inf, -inf: kept visible as strings, the file stays strict JSON
                parts += (", ", jkey, ': "', str(value), '"')
                finite = False
        if not finite and NONFINITE not in values:  # the plot marks it red, as it does our workers' steps
            parts.append(f', "{NONFINITE}": 1')
        parts.append("}\n")
        self._next_step = step + 1
        self.step = step
        data = "".join(parts).encode()
        while data:
            data = data[os.write(self._fd, data):]
        if now >= self._status_due:
            self._update_status(now)

    @staticmethod
    def _step(step: Any) -> int:
        """A step the plot can place: a whole number from 0 (an int, or a float like 3.0)."""
        whole = step.is_integer() if isinstance(step, float) else hasattr(step, "__index__")
        if isinstance(step, bool) or not whole:
            raise TypeError(f"track: step {step!r} is not a whole number")
        if int(step) < 0:
            raise ValueError(f"track: step {step!r} is negative; steps count from 0")
        return int(step)

    @staticmethod
    def _name(key: Any) -> str:
        """A metric name the picker and legend can show: 1-100 printable characters, not step/time."""
        if not isinstance(key, str):
            raise TypeError(f"track: metric name {key!r} is a {type(key).__name__}, not a str")
        if not 0 < len(key) <= MAX_NAME or not key.isprintable():
            raise ValueError(f"track: metric name {key[:MAX_NAME]!r}{'…' if len(key) > MAX_NAME else ''}: "
                             f"names must be 1-{MAX_NAME} printable characters")
        if key in RESERVED:
            raise ValueError(f"track: metric name {key!r} is taken: every line records its own step and time")
        return key

    @staticmethod
    def _number(key: str, value: Any) -> float:
        """A plottable number; a bool (Python, numpy or torch) is refused like a str, not drawn as 0/1."""
        if isinstance(value, bool) or str(getattr(value, "dtype", "")) in ("bool", "torch.bool"):
            raise TypeError(f"track: metric {key!r} is a {type(value).__name__}, not a number")
        try:
            return float(value)
        except OverflowError:
            size = f"an int of {value.bit_length()} bits" if isinstance(value, int) else repr(value)[:40]
            raise ValueError(f"track: metric {key!r} = {size} does not fit a float (max about 1.8e308)") from None
        except (TypeError, ValueError):
            raise TypeError(f"track: metric {key!r} is a {type(value).__name__}, not a number") from None

    def _update_status(self, now: float) -> None:
        """Step, steps/s and total into status.json (never the state while supervised)."""
        self._status_due = now + STATUS_EVERY_SECONDS
        rate = None
        if self._status_mark is not None and now > self._status_mark[0] and self.step > self._status_mark[1]:
            rate = (self.step - self._status_mark[1]) / (now - self._status_mark[0])
        self._status_mark = (now, self.step)

        def mutate(status: RunStatus) -> bool:
            if status.state is not RunState.RUNNING:
                return False
            status.step = self.step
            if self.total_steps:
                status.total_steps = int(self.total_steps)
            if rate is not None:
                status.throughput, status.throughput_unit = round(rate, 3), "steps/s"
            return True

        try:
            update_status(self.path, mutate)
        except OSError:
            pass  # a full disk or a vanished run never stops training

    # --- media and checkpoints ------------------------------------------------------------
    def log_image(self, name: str, image: Any, step: int | None = None) -> Path | None:
        """A PNG under samples/ (PIL image, numpy array, or torch tensor)."""
        if not self.enabled:
            return None
        return media.write_image(self.path, name, image, self.step if step is None else int(step))

    def log_text(self, name: str, text: str, step: int | None = None) -> Path | None:
        if not self.enabled:
            return None
        return media.write_text(self.path, name, text, self.step if step is None else int(step))

    def checkpoint(self, path: str | os.PathLike[str], step: int | None = None,
                   metrics: dict[str, float] | None = None, kind: str | None = None) -> Path | None:
        """Register a directory the script saved, so the Checkpoints pane and Generate use it."""
        if not self.enabled:
            return None
        return media.register_checkpoint(self.path, Path(path), self.step if step is None else int(step),
                                         metrics, kind)

    # --- control --------------------------------------------------------------------------
    def _poll(self) -> None:
        now = time.monotonic()
        if now < self._control_due:
            return
        self._control_due = now + CONTROL_POLL_SECONDS
        try:
            mtime = os.stat(self._control).st_mtime_ns
        except OSError:
            return
        if mtime == self._control_mtime and time.time_ns() - mtime > 2_000_000_000:
            return  # unchanged (and not so recent that a coarse clock could hide a change)
        self._control_mtime = mtime
        if not self._stop and stop_requests(self.path):
            self._stop = True
            print(f"[aigc-tui] stop requested for run {self.id}", file=sys.stderr, flush=True)
        if self.enabled:
            self._saves += take_save_requests(self.path)

    def should_stop(self) -> bool:
        """True once a stop was requested (app `x`, `aigc-tui stop`); cheap to call every step."""
        if not self._stop_polled:
            self._stop_polled = True
            mark_stop_polled(self.path)
        self._poll()
        return self._stop

    def should_save(self) -> bool:
        """True once per save request (app `S`, `aigc-tui request RUN save`)."""
        self._poll()
        if self._saves:
            self._saves = 0
            return True
        return False

    # --- the end --------------------------------------------------------------------------
    def record_exception(self, exc: BaseException) -> None:
        lines = "".join(traceback.format_exception(exc)).splitlines()
        self._error = (f"{type(exc).__name__}: {exc}".splitlines()[0][:500], "\n".join(lines[-15:]))

    def finish(self) -> None:
        """Flush and close. A run started by hand also gets its end state here: stopped after a
        stop request, failed after an uncaught exception, else finished."""
        if self.finished:
            return
        self.finished = True
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            self._update_status(time.time())
        if self.supervised or not self.enabled:
            return
        stopped = self._stop or bool(stop_requests(self.path))
        error = self._error

        def end(status: RunStatus) -> bool:
            if error and error[0].startswith("KeyboardInterrupt"):
                status.state = RunState.STOPPED
            elif error:
                status.state, status.error, status.traceback = RunState.FAILED, error[0], error[1]
            else:
                status.state = RunState.STOPPED if stopped else RunState.FINISHED
            status.step, status.ended_at = self.step, time.time()
            return True

        update_status(self.path, end)
        clear_stop_requests(self.path)
        if self.lock is not None:
            self.lock.close()
            self.lock = None
