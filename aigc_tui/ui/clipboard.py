"""ctrl+y's copy: OSC 52, so the terminal you sit at puts the text on its clipboard, also over SSH.

Inside tmux (its default `set-clipboard external`) tmux drops an application's OSC 52 and nothing
reaches a clipboard (accept8 J3). So inside tmux the sequence also goes wrapped in tmux's DCS
passthrough, which tmux hands to the outer terminal where `allow-passthrough on`; with
`set -g set-clipboard on` tmux takes the plain one itself. The toast says which setting it needs.
"""

from __future__ import annotations

import base64
import os
from typing import Any

TMUX_HINT = "in tmux: set -g set-clipboard on"


def osc52(text: str) -> str:
    """The sequence Textual's App.copy_to_clipboard writes."""
    return f"\x1b]52;c;{base64.b64encode(text.encode('utf-8')).decode('ascii')}\a"


def tmux_passthrough(sequence: str) -> str:
    """`sequence` for tmux to pass to its outer terminal: every ESC in it doubled."""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def copy_text(app: Any, text: str) -> str:
    """Put `text` on the clipboard (the app's own too); returns the line the toast shows."""
    app.copy_to_clipboard(text)  # the plain OSC 52
    in_tmux = bool(os.environ.get("TMUX"))
    driver = getattr(app, "_driver", None)  # where copy_to_clipboard writes (Textual has no public way)
    if in_tmux and driver is not None:
        driver.write(tmux_passthrough(osc52(text)))
    return f"copied {len(text):,} characters (OSC 52{'; ' + TMUX_HINT if in_tmux else ''})"
