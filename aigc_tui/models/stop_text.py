"""Stop strings for one sample: cut the text where the first one appears (pure Python, no torch).

Each sample has its own `StopText`, so a sample that reaches a stop string ends there and the
next sample is still generated (a stop used to cancel the whole request, samples and all).
"""

from __future__ import annotations


class StopText:
    """Passes streamed text on, holding back a tail that may be the start of a stop string.

    `feed` returns the text that is safe to show: everything before the first stop string,
    never a piece of a stop string that later completes (`##` of `###` is held until the next
    piece says whether it is one). `hit` is the stop string found; `flush` gives back what was
    held when the sample ends without reaching one.
    """

    def __init__(self, stops: list[str] | tuple[str, ...] = ()) -> None:
        self.stops = [s for s in stops if s]
        self.text = ""
        self.sent = 0
        self.hit: str | None = None

    def feed(self, piece: str) -> str:
        if self.hit is not None or not piece:
            return ""
        if not self.stops:
            return piece
        scanned = len(self.text)
        self.text += piece
        found = [(i, s) for s in self.stops if (i := self.text.find(s, max(0, scanned - len(s) + 1))) >= 0]
        if found:
            end, self.hit = min(found)
        else:
            end = len(self.text) - self._held(self.text)
        out = self.text[self.sent:end]
        self.sent = max(self.sent, end)
        return out

    def flush(self) -> str:
        """The held-back tail, once no more text can complete a stop string."""
        if self.hit is not None:
            return ""
        out, self.sent = self.text[self.sent:], len(self.text)
        return out

    def _held(self, text: str) -> int:
        """Length of the longest end of `text` that begins some stop string."""
        longest = 0
        for stop in self.stops:
            for n in range(min(len(stop) - 1, len(text)), longest, -1):
                if text.endswith(stop[:n]):
                    longest = n
                    break
        return longest
