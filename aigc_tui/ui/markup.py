"""Put text from runs and models (tokens, labels, samples) into Textual markup as itself.

Textual's markup reads any `[WORD]` as a style tag, so `[MASK]`, `[UNK]` or `[CLS]` would
vanish; `rich.markup.escape` leaves those alone (it only escapes lowercase tags). Every `[`
is escaped here instead.
"""

from __future__ import annotations


def literal(text: str) -> str:
    """`text` for a markup string, shown exactly as written."""
    return text.replace("[", r"\[")
