"""Stops that arrive before the trainer exists: remembered, then handed on, never lost.

Its own module on purpose: the worker runs as `python -m aigc_tui.train.worker`, so that
file is imported twice (as `__main__` and by name); one handler object must serve both.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aigc_tui.train.loop import Trainer

EARLY_SIGNALS = {signal.SIGTERM, signal.SIGHUP, signal.SIGINT}


class EarlyStop:
    """SIGTERM/SIGINT before the trainer exists are remembered and handed on; SIGHUP is ignored.

    Ctrl-C: the first asks the trainer to stop at the next step, the second stops it at once
    (it still saves), and any later one is ignored with a note, so hammering Ctrl-C never kills
    the interrupt checkpoint half-written and leaves the run `lost`.

    Installed first thing, then the signals the launcher held blocked are let through, so a
    stop in the worker's first moments still ends `stopped`, never `lost`.
    """

    def __init__(self) -> None:
        self.reason: str | None = None
        self.forced = False  # a second Ctrl-C stopped the loop at once; later ones wait for the save
        self.trainer: Trainer | None = None
        self.previous: dict[int, Any] = {}
        self.on_stop: Callable[[int], None] | None = None  # what a stop does while torchrun starts (no trainer here)

    def __call__(self, signum: int, _frame: Any) -> None:
        if signum == signal.SIGINT and self.reason == "SIGINT":
            if self.forced:  # a third Ctrl-C would kill the checkpoint being saved: let the save finish
                self._say_saving()
                return
            self.forced = True
            raise KeyboardInterrupt  # a second Ctrl-C: stop now (the loop still saves)
        self.reason = signal.Signals(signum).name
        if self.trainer is not None:
            self.trainer.request_stop(self.reason)
        elif self.on_stop is not None:
            self.on_stop(signum)

    def _say_saving(self) -> None:
        """One line on stderr, written straight to the descriptor (a handler must not re-enter print)."""
        step = f" step {self.trainer.step}" if self.trainer is not None else ""
        try:
            os.write(2, f"\nsaving{step}, a moment… (Ctrl-C again is ignored until it is saved)\n".encode())
        except OSError:
            pass

    @property
    def installed(self) -> bool:
        return bool(self.previous)

    def install(self) -> None:
        if self.installed or threading.current_thread() is not threading.main_thread():
            return  # once; and only the main thread may set handlers (an in-process caller on a thread)
        self.previous = {s: signal.getsignal(s) for s in EARLY_SIGNALS}
        signal.signal(signal.SIGTERM, self)
        signal.signal(signal.SIGINT, self)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a dropped terminal never stops training
        signal.pthread_sigmask(signal.SIG_UNBLOCK, EARLY_SIGNALS)

    def take_back(self) -> None:
        """Handle SIGTERM/SIGINT here again after a library (torchrun's agent) put its own handlers in."""
        if self.installed and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self)
            signal.signal(signal.SIGINT, self)

    def restore(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        self.previous, self.reason, self.trainer, self.forced, self.on_stop = {}, None, None, False, None

    def attach(self, trainer: Trainer) -> None:
        self.trainer = trainer
        if self.reason:
            trainer.request_stop(self.reason)


EARLY = EarlyStop()  # this process's start-up stop handler (one per process)
