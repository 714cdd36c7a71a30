"""A bracketed paste stays text: an ESC inside pasted text never turns the rest of the paste into key presses.

Textual's XTermParser (8.2.x) treats an ESC inside a bracketed paste as the start of an escape sequence; the
bytes after it never match one, so they are reissued as *keys* when the paste-end marker arrives: a ctrl+s
(0x13) in pasted coloured log output started a training run, a BEL (ctrl+g) started a generation. This parser
drops every ESC between the paste markers that is not the start of the end marker, before Textual's parser
sees the text, so everything pasted arrives as one Paste event; other control characters (but tab and line
breaks) are dropped from it. Outside a paste the input passes through unchanged, so the escape key and real
sequences behave as before.

It also reads ESC followed by a digit as alt+digit, as xterm, tmux and most SSH terminals mean it:
Textual 8.2's table maps ESC 1..ESC 0 to the characters WezTerm on macOS would type (¡ ™ £ ¢ …), so the
app's alt+1..alt+4 pane keys never fired and the characters landed in the focused field. The alt key
carries no character, so one nothing binds types nothing. A real £ (one character, no ESC) is a £.

ESC followed by any other character or control key is Esc, then that key: what a fast typist meant by Esc
then `d` when both arrive in one read (over SSH, or inside tmux, whose escape-time turns them into M-d).
Textual read it as alt+d carrying a `d`, which the field being left typed, ESC `/` as a bare `/`, ESC `-` as
`–`, and ESC Enter as Enter, which submitted the dialog Esc was to cancel: the Esc was lost (tester9 F1,
tester10 T2, T5). Nothing in the app binds alt+letter. Textual's word moves stay: ESC b, ESC f (option+arrow
in iTerm), ESC DEL (alt+backspace), and ESC Tab is still shift+tab.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

from textual import events
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._xterm_parser import BRACKETED_PASTE_END, BRACKETED_PASTE_START, XTermParser
from textual.driver import Driver
from textual.message import Message

ESC = "\x1b"
DIGITS = "0123456789"
# control characters other than tab and line breaks (and ESC, handled apart): dropped from pasted text, so a
# pasted ^S or BEL never lands in a run name or a prompt
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]")


class PasteSafeParser(XTermParser):
    """XTermParser whose bracketed pastes reach the app as text only, and whose ESC N is alt+N."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._in_paste = False
        self._held = ""  # inside a paste: a read that ended part-way into what may be the end marker
        self._tail = ""  # outside a paste: the last few characters, to see a start marker split across reads

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # end of input
            return super().feed("")
        cleaned = self.clean(data)
        # everything held back (or only dropped ESCs): nothing to parse yet; "" would mean end of input
        return super().feed(cleaned) if cleaned else ()

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        if len(sequence) == 2 and sequence[0] == ESC and sequence[1] in DIGITS:
            return [events.Key(f"alt+{sequence[1]}", None)]
        if len(sequence) == 2 and sequence[0] == ESC and isinstance(ANSI_SEQUENCES_KEYS.get(sequence), str):
            return [events.Key("escape", ESC), *super()._sequence_to_key_events(sequence[1])]  # ESC - was –
        if alt and len(sequence) == 1:  # ESC then a character or a control key: Esc, then the key
            return [events.Key("escape", ESC), *super()._sequence_to_key_events(sequence)]
        return super()._sequence_to_key_events(sequence, alt)

    def clean(self, data: str) -> str:
        """The input with the ESCs inside a bracketed paste (other than the end marker's) removed."""
        out: list[str] = []
        text, self._held = self._held + data, ""
        while text:
            if not self._in_paste:
                seen = self._tail + text
                at = seen.find(BRACKETED_PASTE_START)
                if at < 0:
                    out.append(text)
                    self._tail = seen[-(len(BRACKETED_PASTE_START) - 1):]
                    break
                start_ends = at + len(BRACKETED_PASTE_START) - len(self._tail)
                out.append(text[:start_ends])
                text, self._in_paste, self._tail = text[start_ends:], True, ""
                continue
            at = text.find(ESC)
            if at < 0:
                out.append(CONTROL.sub("", text))
                break
            out.append(CONTROL.sub("", text[:at]))
            rest = text[at:]
            if rest.startswith(BRACKETED_PASTE_END):
                out.append(BRACKETED_PASTE_END)
                text, self._in_paste = rest[len(BRACKETED_PASTE_END):], False
            elif BRACKETED_PASTE_END.startswith(rest):
                self._held = rest  # wait for the next read to tell whether the paste ends here
                break
            else:
                text = rest[1:]  # an ESC that is part of the pasted text: drop it, keep the rest as text
        return "".join(out)


def install(driver_class: type[Driver]) -> type[Driver]:
    """Make `driver_class` build PasteSafeParser: Textual's xterm drivers look XTermParser up in their module."""
    module = sys.modules.get(driver_class.__module__)
    if module is not None and getattr(module, "XTermParser", None) is XTermParser:
        module.XTermParser = PasteSafeParser  # type: ignore[attr-defined]
    return driver_class
