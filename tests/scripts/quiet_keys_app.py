"""A Textual app on aigc-tui's terminal driver that records the keys it gets (tests/app/test_quiet_driver.py).

`i` notes the input thread's wake-up count, `j` notes it again, `q` writes both and the keys to argv[1]
and quits.
"""

from __future__ import annotations

import json
import sys

from textual.app import App, ComposeResult
from textual.widgets import Static

from aigc_tui.ui.app import terminal_driver


class KeysApp(App):
    def __init__(self, out: str) -> None:
        super().__init__()
        self.out, self.keys, self.wakeups = out, [], []

    def get_driver_class(self):
        return terminal_driver(super().get_driver_class())  # the driver aigc-tui runs on

    def compose(self) -> ComposeResult:
        yield Static("keys-ready")

    def on_key(self, event) -> None:
        self.keys.append(event.key)
        if event.key in ("i", "j"):
            self.wakeups.append(self._driver.wakeups)
        if event.key == "q":
            with open(self.out, "w") as f:
                json.dump({"keys": self.keys, "wakeups": self.wakeups, "driver": type(self._driver).__name__}, f)
            self.exit()


if __name__ == "__main__":
    KeysApp(sys.argv[1]).run()
