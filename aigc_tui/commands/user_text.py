"""A prompt or text from the command line or stdin, checked to be UTF-8 before any model sees it."""

from __future__ import annotations

import re
import sys

from aigc_tui.errors import ConfigError


def user_text(value: str, what: str) -> str:
    """`value`, or stdin when it is `-`; non-UTF-8 bytes are one line, whatever the locale.

    Under a C/POSIX locale Python decodes stdin and argv with surrogateescape, so bad bytes
    arrive as lone surrogates that only the tokenizer would trip over (a TypeError).
    """
    where = "on stdin" if value == "-" else "given"
    try:
        if value == "-":
            stream = getattr(sys.stdin, "buffer", None)
            text = stream.read().decode("utf-8") if stream is not None else sys.stdin.read()
        else:
            text = value
        text.encode("utf-8")  # lone surrogates from surrogateescape fail here
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise ConfigError(f"the {what} {where} is not UTF-8 text") from None
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab and newline


def shown(text: str, stream: object) -> str:
    """`text` as it may reach a terminal: control characters (an ESC sequence recolours or retitles
    the terminal, a BEL rings, a CR overwrites) shown escaped, `\\x1b`; piped, the text as it is."""
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return text
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
