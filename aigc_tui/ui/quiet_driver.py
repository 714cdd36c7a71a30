"""Textual's terminal driver, minus ten wake-ups a second while no key comes.

Textual 8.2's LinuxDriver reads keys on a thread that loops on `select(0.1)`, so that its parser
can let out a lone Esc (an ESC with nothing after it) once ESCDELAY has passed. That is ten
wake-ups a second for the life of the app: about 0.4 % of a core on the 2-core box issue 9 was
measured on, as much as the rest of an idle app together, against a 1 % budget. This copy of
the loop waits with no timeout unless the parser holds a half-read sequence (then exactly until
it is due, so a lone Esc comes out on time), and a pipe wakes it when the input is stopped
(quit, ctrl+z), which is the only other thing the timeout was for. Everything else is Textual's.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder

from textual._loop import loop_last
from textual._parser import ParseError
from textual._time import get_time
from textual.drivers import linux_driver
from textual.drivers.linux_driver import LinuxDriver

TEXTUAL_POLL_S = 0.1  # what Textual's loop waits: while the input is being stopped, or on a parser we don't know


class QuietLinuxDriver(LinuxDriver):
    """LinuxDriver whose input thread sleeps until a key, a due escape timeout or a stop."""

    _wake_r: int | None = None
    _wake_w: int | None = None
    _stopping = False
    wakeups = 0  # how often the input thread woke: what the idle app costs is mostly this

    def disable_input(self) -> None:
        self._stopping = True
        if self._wake_w is not None:
            try:
                os.write(self._wake_w, b"\0")
            except OSError:  # full: it is awake anyway
                pass
        try:
            super().disable_input()
        finally:
            self._stopping = False

    def close(self) -> None:
        super().close()
        for fd in (self._wake_r, self._wake_w):
            if fd is not None:
                os.close(fd)
        self._wake_r = self._wake_w = None

    def _timeout(self, parser: object) -> float | None:
        if self._stopping or not hasattr(parser, "_timeout_time"):
            return TEXTUAL_POLL_S
        due = parser._timeout_time  # when a half-read sequence is to be let out, else None
        return None if due is None else max(0.0, due - get_time()) + 0.001

    def run_input_thread(self) -> None:
        """Textual's loop (LinuxDriver.run_input_thread), with `_timeout` and the wake pipe."""
        if self._wake_r is None:
            self._wake_r, self._wake_w = os.pipe()
            os.set_blocking(self._wake_r, False)
            os.set_blocking(self._wake_w, False)
        wake = self._wake_r
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(wake, selectors.EVENT_READ)
        parser = linux_driver.XTermParser(self._debug)  # looked up now: paste_guard may have replaced it
        feed, tick = parser.feed, parser.tick
        decode = getincrementaldecoder("utf-8")().decode

        def process(ready: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            for last, (key, mask) in loop_last(ready):
                if key.fd == wake:
                    _drain(wake)
                elif mask & selectors.EVENT_READ:
                    data = decode(os.read(self.fileno, 1024 * 4), final=final and last)
                    if not data:  # stdin piped
                        break
                    for event in feed(data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                ready = selector.select(self._timeout(parser))
                self.wakeups += 1
                process(ready)
            selector.unregister(self.fileno)
            selector.unregister(wake)
            process(selector.select(TEXTUAL_POLL_S), final=True)
        finally:
            selector.close()
            try:
                for _event in feed(""):
                    pass
            except (EOFError, ParseError):
                pass


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 64):
            pass
    except OSError:  # empty (non-blocking)
        pass

