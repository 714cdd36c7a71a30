"""An interval timer that runs only while something is live.

An idle app should cost almost nothing (issue 9: under 1 % of a core): a timer that fires with
nothing live to follow still wakes the UI thread. The Runs and Checkpoints panes follow a live
run with one of these and stop it when nothing listed is live.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.timer import Timer


class LiveInterval:
    def __init__(self, owner: MessagePump, every: float, callback: Callable[[], object]) -> None:
        self._owner, self._every, self._callback = owner, every, callback
        self._timer: Timer | None = None

    @property
    def running(self) -> bool:
        return self._timer is not None

    def set(self, live: bool) -> None:
        """Start the timer when something turns live, stop it when nothing is."""
        if live and self._timer is None:
            self._timer = self._owner.set_interval(self._every, self._callback)
        elif not live and self._timer is not None:
            self._timer.stop()
            self._timer = None
