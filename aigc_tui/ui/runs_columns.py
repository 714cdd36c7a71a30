"""Which runs-table columns to show at the table's width, so nothing that matters scrolls off.

The table holds every column when it fits. At 100 cells and wider, one long name (a
tagged sweep run) is cut with "…" (to 40, then 24 cells) before any column goes. Narrower,
in turn: the device goes (the monitor's header names it), speed units get short ("tok/s")
and the best metric loses its name (the recipe names it), the kind goes (the header again),
and last long names (with their tags) are cut with "…", then a long step count reads
250k/1M (a million-step run's 250000/1000000 cut every row's time to `3d0`). At 80 columns
that leaves name, state, step, eta, speed, best and time in view, time whole. A cut keeps a name's ` ~4b49` (the id's tail
that tells runs of one name apart, rundata.id_tails) whole: the name before it is cut instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rich.errors import MarkupError
from rich.text import Text
from textual.geometry import Size

CELL_PADDING = 2  # a DataTable cell's padding, both sides together
TAIL = re.compile(r" ~[A-Za-z0-9_.-]+(?= |$)")  # rundata.id_tails' ` ~4b49` after a name
SHORT_UNITS = {" tokens/s": " tok/s", " images/s": " img/s", " examples/s": " ex/s"}


@dataclass(frozen=True)
class Layout:
    columns: tuple[str, ...]
    name_width: int | None = None  # cut longer names with "…"
    short: bool = False  # short speed units; the best metric's value without its name
    short_steps: bool = False  # a step count longer than STEPS_CUT cells as 250k/1M

    def cells(self, all_columns: Sequence[str], cells: Sequence[str]) -> list[str]:
        """A row's cells (one per column of `all_columns`) as this layout shows them."""
        by_name = dict(zip(all_columns, cells, strict=True))
        return [self.cell(c, by_name[c]) for c in self.columns]

    def cell(self, column: str, cell: str) -> str:
        return _shown_cell(column, cell, self.name_width, self.short, self.short_steps)


STEPS_CUT = 10  # 6500/20000 stays as it is


def _count(text: str) -> str:
    """250000 -> 250k, 1000000 -> 1M, 999999 -> 999.9k: rounded down, so progress never reads ahead."""
    if not text.isdigit():
        return text
    n = int(text)
    for size, suffix in ((10**9, "G"), (10**6, "M"), (10**3, "k")):
        if n >= size:
            return f"{(n * 10 // size) / 10:g}{suffix}"
    return text


@lru_cache(maxsize=4096)  # the same cells come back every poll: parse each once
def _shown_cell(column: str, cell: str, name_width: int | None, short: bool, short_steps: bool = False) -> str:
    if column == "step" and short_steps and len(cell) > STEPS_CUT:
        return "/".join(_count(part) for part in cell.split("/"))
    if column == "name" and name_width:
        text = _text(cell)
        if text.cell_len > name_width:
            return _cut_name(text, name_width).markup
    elif column == "speed" and short:
        for long, short_unit in SHORT_UNITS.items():
            cell = cell.replace(long, short_unit)
    elif column == "best" and short and " " in cell.strip():
        return cell.strip().rsplit(" ", 1)[1]  # "val_loss 2.31" -> "2.31" (the recipe names the metric)
    return cell


def _cut_name(text: Text, width: int) -> Text:
    """`text` in `width` cells ending in "…", or, where that would cut into the id's tail, the
    name before the tail cut to make room for it (what follows the tail, tags, goes)."""
    tail = TAIL.search(text.plain)
    if tail is None or text[:tail.end()].cell_len < width:
        text.truncate(width, overflow="ellipsis")
        return text
    head, kept = text[:tail.start()], text[tail.start():tail.end()]
    head.truncate(max(1, width - kept.cell_len), overflow="ellipsis")
    return head + kept


@lru_cache(maxsize=4096)
def cell_len(cell: str) -> int:
    """Cells a table cell takes on screen (markup parsed as the DataTable parses it)."""
    return _text(cell).cell_len


STAGES: tuple[tuple[frozenset[str], int | None, bool, bool], ...] = (  # (dropped, name width, short, short
    (frozenset(), None, False, False),                                  # steps), least lost first
    (frozenset({"device"}), None, False, False),
    (frozenset({"device"}), None, True, False),
    (frozenset({"device", "kind"}), None, True, False),
    (frozenset({"device", "kind"}), 24, True, False),
    (frozenset({"device", "kind"}), 18, True, False),
    (frozenset({"device", "kind"}), 18, True, True),
    (frozenset({"device", "kind"}), 12, True, True),
)


WIDE = 100  # from this width on, names are cut before informative columns are dropped
WIDE_STAGES = ((frozenset(), 40, False, False), (frozenset(), 24, False, False), (frozenset({"device"}), 24, False, False),
               (frozenset({"device"}), 24, True, False), (frozenset({"device", "kind"}), 24, True, False))


def _text(cell: str) -> Text:
    try:
        return Text.from_markup(cell)
    except MarkupError:
        return Text(cell)


def table_width(pane: Size, rows: int, scrollbar: int) -> int:
    """Cells the table has across: the pane's width, less the scrollbar when the rows overflow
    the table's max-height (25 % of the pane)."""
    return pane.width - (scrollbar if rows + 1 > pane.height // 4 else 0)


def layout_for(width: int, all_columns: Sequence[str], rows: Sequence[Sequence[str]]) -> Layout:
    """The first stage whose columns fit `width` cells (the last one when none does)."""
    layout = Layout(tuple(all_columns))
    stages = STAGES[:1] + WIDE_STAGES + STAGES[-3:] if width >= WIDE else STAGES
    for dropped, name_width, short, short_steps in stages:
        layout = Layout(tuple(c for c in all_columns if c not in dropped), name_width, short, short_steps)
        widths = {c: len(c) for c in layout.columns}  # headers
        for row in rows:
            for column, cell in zip(layout.columns, layout.cells(all_columns, row), strict=True):
                widths[column] = max(widths[column], cell_len(cell))
        if sum(widths.values()) + CELL_PADDING * len(widths) <= width:
            return layout
    return layout
