"""Lay legend/readout entries on a few lines, ending with "+N more" when not all fit.

The plot's legend and readout have two lines each; with a few marked runs times a few
metrics their entries overflow, and a wrapping Static would drop the last ones without a
word. Here the entries are packed whole, in order, and whatever does not fit is named by a
count ("+3 more"), so a user always knows curves are off-line (widen the terminal or pick
fewer metrics). Pure text arithmetic on Rich markup: no widgets.
"""

from __future__ import annotations

from rich.text import Text

SEP = "  "


def cells(markup: str) -> int:
    """How many terminal cells a markup string takes."""
    return Text.from_markup(markup).cell_len


def _crop(markup: str, width: int) -> str:
    """A token wider than a whole line, cut to it with an ellipsis (a long note stays in sight)."""
    if cells(markup) <= width:
        return markup
    text = Text.from_markup(markup)
    text.truncate(width, overflow="ellipsis")
    return text.markup


def _wrap(tokens: list[str], width: int) -> tuple[list[str], int]:
    """Greedy line fill of whole tokens; also the rows it takes (a token wider than a line wraps)."""
    lines: list[list] = []  # [text, cells used, rows]
    for token in tokens:
        size = cells(token)
        if lines and lines[-1][1] + len(SEP) + size <= width:
            lines[-1][0] += SEP + token
            lines[-1][1] += len(SEP) + size
        else:
            lines.append([token, size, max(1, -(-size // width))])
    return [line[0] for line in lines], sum(line[2] for line in lines)


def pack(entries: list[str], width: int, max_lines: int, head: list[str] | None = None,
         tail: list[str] | None = None) -> str:
    """`head`, as many `entries` as fit, "+N more" for the rest, then `tail`, on <= max_lines lines.

    Entries keep their order; the tail (mode, notes, hints) goes first when space runs out,
    the "+N more" never does. `width` <= 0 (not laid out yet): everything on one line.
    """
    head, tail = list(head or []), list(tail or [])
    if width <= 0:
        return SEP.join([*head, *entries, *tail])
    head, entries, tail = ([_crop(t, width) for t in part] for part in (head, entries, tail))
    for k in range(len(entries), -1, -1):
        for keep_tail in range(len(tail), -1, -1):
            more = [f"[b]+{len(entries) - k} more[/]"] if k < len(entries) else []
            tokens = [*head, *entries[:k], *more, *tail[:keep_tail]]
            lines, rows = _wrap(tokens, width)
            if rows <= max_lines:
                return "\n".join(lines)
    more = [f"[b]+{len(entries)} more[/]"] if entries else []
    return "\n".join(_wrap([*head, *more], width)[0])
