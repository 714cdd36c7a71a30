"""ctrl+y writes OSC 52; inside tmux also tmux's passthrough form, and the toast says what tmux needs
(its default drops an application's OSC 52: accept8 J3)."""

from __future__ import annotations

import base64

import pytest
from pilot_wait import wait_for
from textual.widgets import TextArea

from aigc_tui.ui.app import make_app

TEXT = "def hello():\n    return 'hé'"
PLAIN = f"\x1b]52;c;{base64.b64encode(TEXT.encode()).decode()}\a"
PASSTHROUGH = f"\x1bPtmux;\x1b\x1b]52;c;{base64.b64encode(TEXT.encode()).decode()}\a\x1b\\"


@pytest.mark.parametrize("tmux", [None, "/tmp/tmux-1000/default,4242,0"])
async def test_copy_writes_osc52_and_inside_tmux_its_passthrough_too(runs_dir, monkeypatch, tmux):
    if tmux:
        monkeypatch.setenv("TMUX", tmux)
    else:
        monkeypatch.delenv("TMUX", raising=False)
    app = make_app(runs_dir, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        written: list[str] = []
        monkeypatch.setattr(app._driver, "write", written.append)  # what reaches the terminal
        output = await wait_for(pilot, lambda: app.query("#gen-output") and app.query_one("#gen-output", TextArea))
        output.text = TEXT
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: app._notifications, what="the toast")
        osc = [w for w in written if "52;c;" in w]
        assert osc == ([PLAIN, PASSTHROUGH] if tmux else [PLAIN])
        assert app.clipboard == TEXT
        [toast] = [n.message for n in app._notifications]
        n = len(TEXT)
        assert toast == (f"copied {n} characters (OSC 52; in tmux: set -g set-clipboard on)" if tmux
                         else f"copied {n} characters (OSC 52)")
