"""Fit a sample grid into terminal cells at an INTEGER scale; shrink only a tile that cannot fit.

A 28 px digit drawn at 44/242 of its size reads as grey stripes. So a grid is shown at the
largest whole-number scale (nearest-neighbour) at which it fits; when even 1x does not fit,
its tiles are re-laid to the area's shape, and when not all of them fit, a page of them is
shown (the caller says which tile comes first and tells the user how many are off-screen).
When not even one tile fits at 1x (the Runs monitor at 80x24: 28x20 px for 28 px digits),
whole tiles are shrunk to fit by area averaging: a whole digit at 20 px reads, the 1x crop
that was shown instead was a fragment of one.
Pure PIL/numpy: no widgets, so the arithmetic is unit-tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

MIN_TILE = 4  # a "tile" narrower than this is noise in the pad detection, not a sample


@dataclass(frozen=True)
class Tiles:
    """A grid's layout: `cols` x `rows` tiles of `width` x `height` px, `pad` px apart and around."""

    width: int
    height: int
    pad: int
    cols: int
    rows: int

    @property
    def count(self) -> int:
        return self.cols * self.rows


@dataclass(frozen=True)
class Fit:
    """What to draw: `image` fills exactly `cells` (w, h) of the terminal."""

    image: Image.Image
    cells: tuple[int, int]
    scale: int  # a whole number; 0 when not even one tile fits at 1x (whole tiles shrunk to fit)
    first: int  # index of the first tile shown
    shown: int  # how many tiles are shown
    total: int  # how many tiles the grid has (1 for a picture that is not a grid)

    @property
    def note(self) -> str:
        """One line for the user when part of the grid is off-screen, else ''."""
        which = f"{self.first + 1}" if self.shown == 1 else f"{self.first + 1}–{self.first + self.shown}"
        tiles = f"tile{'s' if self.shown > 1 else ''} {which}/{self.total}"
        if self.scale == 0:  # not even one tile fits at 1x: shrunk
            return f"{tiles} fit" if self.total > 1 else "shrunk to fit"
        if self.shown < self.total:
            return f"{tiles} at {self.scale}×"
        return ""


def page_first(first: int, page: int, total: int, direction: int) -> int:
    """The first tile of the next (+1) or previous (-1) page of `page` tiles out of `total`.

    Paging never runs past the last full page: with 64 tiles in pages of 8, ↓ from 57–64
    stays at 57–64 (not a lone "64–64"), and ↑ walks back by whole pages to 1.
    """
    page = max(1, page)
    return max(0, min(max(0, total - page), first + direction * page))


def integer_scale(width: int, height: int, area_w: int, area_h: int) -> int:
    """The largest whole number s with width*s <= area_w and height*s <= area_h (0: not even 1x)."""
    if width <= 0 or height <= 0 or area_w <= 0 or area_h <= 0:
        return 0
    return min(area_w // width, area_h // height)


def _stripes_ok(mask: np.ndarray, pad: int, tile: int, count: int) -> bool:
    """Every pad stripe of a `count`-tile layout lies where the image is all pad colour."""
    step = tile + pad
    return all(mask[k * step : k * step + pad].all() for k in range(count + 1))


def _split(mask: np.ndarray, pad: int) -> int:
    """The largest tile count along one axis whose pad stripes all match (1: no grid found)."""
    size = len(mask)
    for count in range(size // (MIN_TILE + pad), 1, -1):
        tile, rest = divmod(size - pad, count)
        if rest == 0 and tile - pad >= MIN_TILE and _stripes_ok(mask, pad, tile - pad, count):
            return count
    return 1


def find_tiles(image: Image.Image) -> Tiles:
    """The grid layout of a sample PNG (make_grid style: a pad-coloured border and gutters).

    A picture without such gutters is one tile of its own size.
    """
    arr = np.asarray(image.convert("RGB"))
    h, w = arr.shape[:2]
    one = Tiles(w, h, 0, 1, 1)
    if h < MIN_TILE or w < MIN_TILE:
        return one
    same = (arr == arr[0, 0]).all(axis=2)
    rows_pad, cols_pad = same.all(axis=1), same.all(axis=0)
    pad = 0
    while pad < min(h, w) and rows_pad[pad] and cols_pad[pad]:
        pad += 1
    if pad == 0 or pad * 2 >= min(h, w):
        return one
    pad = min(pad, next((i for i in range(1, w) if not cols_pad[i]), pad),
              next((i for i in range(1, h) if not rows_pad[i]), pad))
    cols, rows = _split(cols_pad, pad), _split(rows_pad, pad)
    if cols == rows == 1:
        return Tiles(w - 2 * pad, h - 2 * pad, pad, 1, 1)
    return Tiles((w - pad) // cols - pad, (h - pad) // rows - pad, pad, cols, rows)


def _tile(image: Image.Image, t: Tiles, index: int) -> Image.Image:
    r, c = divmod(index, t.cols)
    x, y = t.pad + c * (t.width + t.pad), t.pad + r * (t.height + t.pad)
    return image.crop((x, y, x + t.width, y + t.height))


def _gap(t: Tiles) -> int:
    """Re-laid tiles sit 1 px apart (not the grid's 2): a fourth 28 px digit fits in 118 px."""
    return min(t.pad, 1)


def _layout(t: Tiles, n: int, area_w: int, area_h: int) -> tuple[int, int]:
    """Columns and rows of at most `n` tiles that fit `area` px at 1x (cols*rows may exceed n)."""
    g = _gap(t)
    cols = max(0, (area_w - g) // (t.width + g))
    rows = max(0, (area_h - g) // (t.height + g))
    cols = min(cols, n)
    if cols:
        rows = min(rows, -(-n // cols))
    return cols, rows


def _relaid(image: Image.Image, t: Tiles, first: int, cols: int, rows: int) -> tuple[Image.Image, int]:
    """Tiles first.. laid out cols x rows on the pad colour; also how many were placed."""
    n, g = min(cols * rows, t.count - first), _gap(t)
    out = Image.new(image.mode, (g + cols * (t.width + g), g + rows * (t.height + g)), image.getpixel((0, 0)))
    for i in range(n):
        r, c = divmod(i, cols)
        out.paste(_tile(image, t, first + i), (g + c * (t.width + g), g + r * (t.height + g)))
    return out, n


def _shrunk(image: Image.Image, t: Tiles, first: int, area_w: int, area_h: int) -> tuple[Image.Image, int]:
    """Whole tiles from `first`, each shrunk by area averaging (BOX) to fill the area's short
    side, as many as fit along the long one; also how many were placed."""
    factor = min(1.0, area_w / t.width, area_h / t.height)
    w, h, g = max(1, int(t.width * factor)), max(1, int(t.height * factor)), _gap(t)
    cols, rows = max(1, (area_w + g) // (w + g)), max(1, (area_h + g) // (h + g))
    n = min(cols * rows, t.count - first)
    cols = min(cols, n)
    rows = -(-n // cols)
    out = Image.new(image.mode, (cols * (w + g) - g, rows * (h + g) - g), image.getpixel((0, 0)))
    for i in range(n):
        r, c = divmod(i, cols)
        out.paste(_tile(image, t, first + i).resize((w, h), Image.BOX), (c * (w + g), r * (h + g)))
    return out, n


def _to_cells(image: Image.Image, scale: int, cell_px: tuple[int, int], fill: object) -> tuple[Image.Image, tuple[int, int]]:
    """Upscale by `scale` (nearest) and pad to whole cells, so the renderer's own resize is a no-op."""
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
    cw, ch = cell_px
    cells = (-(-image.width // cw), -(-image.height // ch))
    size = (cells[0] * cw, cells[1] * ch)
    if size != image.size:
        padded = Image.new(image.mode, size, fill)  # type: ignore[arg-type]
        padded.paste(image, (0, 0))
        image = padded
    return image, cells


def fit_grid(image: Image.Image, cells_w: int, cells_h: int, cell_px: tuple[int, int] = (1, 2),
             zoom: int | None = None, first: int = 0, tiles: Tiles | None = None) -> Fit:
    """Draw `image` in `cells_w` x `cells_h` cells of `cell_px` pixels each (half-blocks: 1x2).

    zoom None: the largest integer scale showing every tile (the grid as it is when it fits,
    else its tiles re-laid to the area's shape); when not all fit even at 1x, a page of
    tiles from `first`. zoom k: that scale (clamped to what one tile allows), as many tiles
    as fit, from `first`.
    """
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    t = tiles or find_tiles(image)
    fill = image.getpixel((0, 0))
    area_w, area_h = cells_w * cell_px[0], cells_h * cell_px[1]
    first = max(0, min(first, t.count - 1))
    one_tile = integer_scale(t.width + 2 * _gap(t), t.height + 2 * _gap(t), area_w, area_h)
    if one_tile == 0:  # not even one tile (with its gutters) at 1x: whole tiles, shrunk
        shrunk, n = _shrunk(image, t, first, area_w, area_h)
        out, cells = _to_cells(shrunk, 1, cell_px, fill)
        return Fit(out, cells, int(shrunk.height >= t.height), first, n, t.count)  # 1: it fit without gutters
    if zoom is None:
        whole = integer_scale(image.width, image.height, area_w, area_h)
        best, shape = 0, (0, 0)
        for s in range(one_tile, 0, -1):
            cols, rows = _layout(t, t.count, area_w // s, area_h // s)
            if cols * rows >= t.count:
                best, shape = s, (cols, rows)
                break
        if whole >= max(best, 1):
            out, cells = _to_cells(image, whole, cell_px, fill)
            return Fit(out, cells, whole, 0, t.count, t.count)
        scale = best or 1
        first = 0 if best else first
    else:
        scale = max(1, min(zoom, one_tile))
    if zoom is None and best:
        cols, rows = shape
    else:  # a page is always full: the last one ends at the last tile, never one tile alone
        cols, rows = _layout(t, t.count, area_w // scale, area_h // scale)
        first = min(first, max(0, t.count - cols * rows))
    relaid, n = _relaid(image, t, first, cols, rows)
    out, cells = _to_cells(relaid, scale, cell_px, fill)
    return Fit(out, cells, scale, first, n, t.count)
