"""Stop strings as users type them, in the app's field and in `aigc-tui generate --stop`.

Torch-free, so the app and the CLI read them the same way; the cutting itself happens per
sample in the torch layer (`aigc_tui.models.stop_text`).
"""

from __future__ import annotations

import re

ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[ntr\\])")
SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


def parse_stops(raw: str) -> list[str]:
    """`\\n\\n, ###` -> ["\\n\\n", "###"]: comma-separated; `\\n` `\\t` `\\r` `\\\\` `\\xNN`
    `\\uNNNN` are escapes, any other backslash is itself (`C:\\`), and text stays as typed (`»`)."""
    return [unescape(s) for s in (p.strip() for p in raw.split(",")) if s]


def unescape(text: str) -> str:
    """Only whole escapes are translated, so nothing a user types can fail (`unicode_escape`
    raised on `ab\\x4` and read UTF-8 as Latin-1)."""
    return ESCAPE.sub(lambda m: SIMPLE_ESCAPES.get(m[0][1]) or chr(int(m[0][2:], 16)), text)
