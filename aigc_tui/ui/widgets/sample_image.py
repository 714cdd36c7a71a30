"""A sample grid shown in the terminal: Kitty/Sixel where supported, half-blocks elsewhere.

textual-image picks the protocol from the terminal (Sixel, Kitty's graphics protocol,
half-blocks on a plain terminal, shaded characters when not a terminal at all).
`AIGC_TUI_IMAGE=halfcell` forces half-blocks (snapshot tests, odd terminals).
"""

from __future__ import annotations

import os

from textual_image.renderable.halfcell import Image as HalfcellRenderable
from textual_image.renderable.unicode import Image as UnicodeRenderable
from textual_image.widget import HalfcellImage, get_cell_size
from textual_image.widget import Image as AutoImage

SampleImage = HalfcellImage if os.environ.get("AIGC_TUI_IMAGE") == "halfcell" else AutoImage


def cell_pixels() -> tuple[int, int]:
    """How many image pixels one terminal cell shows (w, h) with the protocol in use."""
    renderable = getattr(SampleImage, "_Renderable", None)
    if renderable is HalfcellRenderable:
        return (1, 2)  # one cell = one pixel wide, two (upper and lower half) tall
    if renderable is UnicodeRenderable:
        return (1, 1)
    size = get_cell_size()  # Kitty / Sixel: the terminal's real cell size in pixels
    return (max(1, size.width), max(1, size.height))


__all__ = ["SampleImage", "cell_pixels"]
