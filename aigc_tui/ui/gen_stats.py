"""The line Generate shows when a generation ends: tokens, first-token time, speed, why it ended."""

from __future__ import annotations

from typing import Any


def done_line(event: dict[str, Any]) -> str:
    """From the helper's `done` event: '42 tokens  first token 12 ms  30.5 tokens/s  (at a stop string)'."""
    s = event.get("stats") or {}
    first = s.get("first_token_s")
    samples = event.get("samples") or []
    cut = sum(1 for sample in samples if sample.get("stop"))
    at_stop = f"{cut} of {len(samples)} samples cut at a stop string" if len(samples) > 1 else "at a stop string"
    note = ("  (stopped)" if event.get("cancelled") else f"  ({at_stop})" if cut
            else f"  (at the model's {s['context_limit']}-token context)" if s.get("context_limit") else "")
    return (f"{s.get('new_tokens', 0)} tokens  first token {first * 1000:.0f} ms  "
            f"{s.get('tokens_per_s', 0):.1f} tokens/s{note}" if first is not None else f"no tokens{note}")
