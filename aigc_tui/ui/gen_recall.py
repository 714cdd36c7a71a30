"""Generate's history: a past prompt picked on the right puts back its prompt, settings, stop strings
and model (a checkpoint still listed is picked; else the model dir or HF id it was typed as)."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Select, TextArea


def recall(pane: Any, entry: Any) -> None:
    """Fill GeneratePane `pane` from a PromptHistory entry."""
    pane.query_one("#gen-prompt", TextArea).text = entry.prompt
    for name, value in entry.params.items():
        if pane.query(f"#p-{name}"):
            pane.query_one(f"#p-{name}", Input).value = str(value)
    pane.query_one("#gen-stops", Input).value = entry.stops
    listed = entry.model in pane.kinds
    if listed:
        pane.query_one("#gen-model", Select).value = entry.model
    pane.query_one("#gen-model-path", Input).value = "" if listed else entry.model
