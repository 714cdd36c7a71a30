"""Bounded render caches for a DataTable whose cells change every second.

Textual's DataTable keeps every rendered cell keyed by its text, up to 10,000 of them (and
1,000 rows and lines). A live run's step, speed and time cells are new text every second, so
the Runs table's caches grew ~3 MB a minute for the app's first hour (measured headless,
watching one live run: 68 -> 79 MB in 3 minutes; with these bounds 68 -> 71 MB, then flat).
The table shows a screenful of rows: a few hundred cached cells are plenty.
"""

from __future__ import annotations

from textual.cache import LRUCache
from textual.widgets import DataTable

BOUNDS = {"_cell_render_cache": 400, "_row_render_cache": 100, "_line_cache": 100}


def bound_render_caches(table: DataTable) -> None:
    """Replace the table's render caches with smaller ones (kept as they are on a Textual
    without them: the names are Textual's own)."""
    for name, size in BOUNDS.items():
        if isinstance(getattr(table, name, None), LRUCache):
            setattr(table, name, LRUCache(size))
