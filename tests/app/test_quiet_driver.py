"""The app's terminal driver in a real pseudo-terminal: keys arrive as typed, a lone Esc still comes
out, quitting is prompt, and the input thread sleeps while no key comes (Textual's woke ten times a
second: about half of what the idle app cost, against issue 9's 1 % budget). Pilot's headless driver
skips all of this, so a pty it is."""

from __future__ import annotations

import fcntl
import json
import os
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "scripts" / "quiet_keys_app.py"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a pty")


class Terminal:
    """The app on a pty; a thread drains what it draws (a full pty would block it)."""

    def __init__(self, out: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 640, 384))  # rows, cols, pixels
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
        self.proc = subprocess.Popen([sys.executable, str(SCRIPT), str(out)], stdin=slave, stdout=slave,
                                     stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.screen = b""
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.screen += data

    def wait_for(self, text: bytes, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while text not in self.screen:
            assert self.proc.poll() is None, f"the app ended: {self.screen[-2000:]!r}"
            assert time.monotonic() < end, f"never drew {text!r}"
            time.sleep(0.05)

    def type(self, data: str, then: float = 0.3) -> None:
        os.write(self.master, data.encode())
        time.sleep(then)


def test_keys_a_lone_esc_alt_digit_and_quit_work_and_an_idle_input_thread_sleeps(tmp_path):
    out = tmp_path / "keys.json"
    term = Terminal(out)
    try:
        term.wait_for(b"keys-ready")
        term.type("a")
        term.type("\x1b", then=0.6)  # nothing after it: the parser's timeout lets it out
        term.type("\x1b2")  # alt+2 (paste_guard's parser, so the driver builds the app's parser)
        term.type("i", then=2.0)  # two quiet seconds: Textual's loop woke ~20 times in them
        term.type("j")
        term.type("q", then=0)
        assert term.proc.wait(timeout=30) == 0  # the wake pipe: the input thread did not sleep through the quit
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
        os.close(term.master)
    got = json.loads(out.read_text())
    assert got["driver"] == "QuietLinuxDriver"
    assert got["keys"] == ["a", "escape", "alt+2", "i", "j", "q"]
    before, after = got["wakeups"]
    assert after - before <= 3, f"the input thread woke {after - before} times in two idle seconds"


def test_it_sleeps_only_with_nothing_half_read_and_waits_as_textual_does_on_a_parser_it_does_not_know():
    from types import SimpleNamespace

    from textual._xterm_parser import XTermParser

    from aigc_tui.ui.quiet_driver import TEXTUAL_POLL_S, QuietLinuxDriver

    driver = SimpleNamespace(_stopping=False)
    parser = XTermParser()
    assert QuietLinuxDriver._timeout(driver, parser) is None  # nothing pending: no wake-up until a key
    list(parser.feed("\x1b"))  # a lone ESC: let out once ESCDELAY has passed, not later
    assert 0 < QuietLinuxDriver._timeout(driver, parser) <= 0.2
    assert QuietLinuxDriver._timeout(driver, object()) == TEXTUAL_POLL_S  # a Textual whose parser changed
    assert QuietLinuxDriver._timeout(SimpleNamespace(_stopping=True), parser) == TEXTUAL_POLL_S
