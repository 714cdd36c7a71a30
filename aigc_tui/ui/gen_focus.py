"""Where the Generate pane puts the focus.

Showing the pane (`4`, a click on its tab, Checkpoints' `g`, a model of another kind picked) focuses
the first button of the controls on screen — Generate, a GAN's Grid, an encoder's Classify — never a
text field: the focus model is that pane keys work everywhere outside a focused text field, and with
the prompt focused on arrival a `3` typed next went into the prompt instead of showing Checkpoints
(accept8 J1; issue 9 saw "a prompt became `3def `"). `p` (or a click) goes into the text field.
"""

from __future__ import annotations

from typing import Any

from textual.widget import Widget
from textual.widgets import Button, TextArea

from aigc_tui.ui.focus_now import focus_now


def _controls(pane: Any) -> Widget:
    """The controls on screen: an encoder's, a GAN's or the LM's."""
    for selector in ("#enc-controls", "#gan-controls"):
        if pane.query_one(selector).display:
            return pane.query_one(selector)
    return pane.query_one("#lm-controls")


def focus_home(pane: Any) -> None:
    """The first button of the controls on screen that can take focus now (Generate is disabled while
    it generates: Stop then), else the model picker."""
    controls = _controls(pane)
    chain = pane.screen.focus_chain
    button = next((w for w in chain if isinstance(w, Button) and controls in w.ancestors), None)
    focus_now(button or pane.query_one("#gen-model"))


def focus_field(pane: Any) -> None:
    """The prompt for an LM, the seed for a GAN, the text for an encoder: whichever is on screen."""
    controls = _controls(pane)
    if controls.id == "lm-controls":
        prompt = pane.query_one("#gen-prompt", TextArea)
        prompt.move_cursor(prompt.document.end)  # typing continues the prompt, never prefixes it ("1def ")
        focus_now(prompt)
    else:
        focus_now(pane.query_one("#enc-text" if controls.id == "enc-controls" else "#gan-seed"))


def field_action(kind: str, encoder_kinds: tuple[str, ...]) -> str:
    """`p`'s action for a model kind, so the footer names the field it goes to."""
    return "type_seed" if kind == "gan" else "type_text" if kind in encoder_kinds else "type_prompt"
