"""Sample grids are drawn at whole-number scales, tiles re-laid or paged; shrunk only when one tile can't fit."""

from __future__ import annotations

import numpy as np
from PIL import Image

from aigc_tui.ui.image_fit import Tiles, find_tiles, fit_grid, integer_scale, page_first

PAD_GREY = 38  # make_grid's pad_value=0.15, as aigc_tui.models.grid writes it


def grid_png(cols: int, rows: int, tile: int = 28, pad: int = 2) -> Image.Image:
    """A make_grid-style grid: tile k is a solid square of value 100 + k (never the pad grey)."""
    img = Image.new("L", (pad + cols * (tile + pad), pad + rows * (tile + pad)), PAD_GREY)
    for k in range(cols * rows):
        r, c = divmod(k, cols)
        img.paste(100 + k, (pad + c * (tile + pad), pad + r * (tile + pad),
                            pad + c * (tile + pad) + tile, pad + r * (tile + pad) + tile))
    return img


def test_integer_scale_for_known_sizes():
    assert integer_scale(242, 242, 242, 242) == 1
    assert integer_scale(242, 242, 241, 1000) == 0  # 44/242 would blur: no fractional scale
    assert integer_scale(28, 28, 118, 72) == 2
    assert integer_scale(60, 60, 48, 40) == 0
    assert integer_scale(30, 30, 78, 40) == 1
    assert integer_scale(10, 5, 100, 100) == 10
    assert isinstance(integer_scale(7, 3, 100, 45), int)
    assert integer_scale(0, 10, 10, 10) == 0


def test_find_tiles_reads_the_grid_layout():
    assert find_tiles(grid_png(8, 8)) == Tiles(28, 28, 2, 8, 8)
    assert find_tiles(grid_png(10, 1)) == Tiles(28, 28, 2, 10, 1)
    assert find_tiles(grid_png(3, 2, tile=12, pad=1)) == Tiles(12, 12, 1, 3, 2)
    photo = Image.fromarray(np.arange(60 * 40, dtype=np.uint8).reshape(40, 60) % 251)
    assert find_tiles(photo) == Tiles(60, 40, 0, 1, 1)  # no gutters: one picture


def test_a_grid_that_fits_is_shown_whole_at_the_largest_integer_scale():
    fit = fit_grid(grid_png(2, 2), 200, 100)  # half-blocks: 200 x 200 px
    assert (fit.scale, fit.shown, fit.total, fit.note) == (3, 4, 4, "")
    assert fit.image.size == (62 * 3, 62 * 3)
    assert fit.cells == (186, 93)
    # nearest-neighbour: every pixel of the upscaled image is a value of the original
    assert set(np.unique(np.asarray(fit.image))) <= {PAD_GREY, 100, 101, 102, 103}


def test_tiles_are_relaid_to_the_area_or_paged_at_1x():
    grid = grid_png(8, 8)  # 242 x 242 px: too big for 118 x 72 px (120 cols x 36 rows of half-blocks)
    fit = fit_grid(grid, 118, 36)
    assert fit.scale == 1 and fit.total == 64
    assert fit.shown == 4 * 2 and fit.note == "tiles 1–8/64 at 1×"  # re-laid 1 px apart
    assert fit.cells[0] <= 118 and fit.cells[1] <= 36
    assert fit.image.size == (1 + 4 * 29, 1 + 2 * 29 + 1)  # + 1 px to fill whole half-block cells
    nxt = fit_grid(grid, 118, 36, first=8)
    assert (nxt.first, nxt.shown) == (8, 8)
    arr = np.asarray(nxt.image)
    assert arr[1, 1] == 100 + 8 and arr[0, 0] == PAD_GREY  # the page starts at tile 9
    last = fit_grid(grid, 118, 36, first=62)  # past the last full page: that page, never a lone tile
    assert (last.first, last.shown, last.note) == (56, 8, "tiles 57–64/64 at 1×")


def test_paging_stops_at_the_last_full_page():
    firsts, first = [], 0
    for _ in range(9):  # 64 tiles in pages of 8: ↓ nine times
        first = page_first(first, 8, 64, 1)
        firsts.append(first)
    assert firsts == [8, 16, 24, 32, 40, 48, 56, 56, 56]
    assert page_first(56, 8, 64, -1) == 48
    assert page_first(7, 2, 9, 1) == 7 and page_first(5, 2, 9, 1) == 7  # 9 tiles by 2: last page 8–9
    assert page_first(1, 2, 9, -1) == 0


def test_all_tiles_relaid_at_a_bigger_scale_when_the_shape_allows():
    row = grid_png(4, 1, tile=10, pad=1)  # 45 x 12 px, a long strip
    fit = fit_grid(row, 30, 15)  # 30 x 30 px: the strip fits only re-laid 2 x 2
    assert (fit.scale, fit.shown) == (1, 4)
    assert fit.image.size == (23, 24)  # 23 px tall padded to whole half-block cells


def test_zoom_is_clamped_to_one_tile():
    grid = grid_png(8, 8)
    fit = fit_grid(grid, 118, 36, zoom=5)
    assert fit.scale == 2 and fit.shown == 2  # 2x: 30 px tiles, two across 118 px, one in 72 px


def test_a_tile_that_cannot_fit_at_1x_is_shown_whole_shrunk():
    """The Runs monitor at 80x24 has 28 x 20 px for 28 px digits: it showed the top 20 px of part
    of the first digit (a 1x crop); now the whole first tile, area-averaged down to 20 x 20."""
    grid = grid_png(8, 8)
    framed = np.asarray(grid).copy()
    framed[2:30, 2:30] = 0
    framed[2:30, 2:4] = framed[2:30, 28:30] = framed[2:4, 2:30] = framed[28:30, 2:30] = 255  # tile 1's frame
    fit = fit_grid(Image.fromarray(framed), 28, 10)  # 28 x 20 px
    assert (fit.scale, fit.first, fit.shown, fit.total) == (0, 0, 1, 64)
    assert fit.note == "tile 1/64 fit"
    assert fit.image.size == (20, 20) and fit.cells == (20, 10)
    shrunk = np.asarray(fit.image)
    assert min(shrunk[:, 0].min(), shrunk[:, -1].min(), shrunk[0].min(), shrunk[-1].min()) > 100  # all 4 sides
    assert shrunk[5:15, 5:15].max() == 0  # and its dark middle: the whole tile, not a part
    two = fit_grid(grid, 60, 10, first=5)  # 60 x 20 px: two shrunk tiles side by side, 1 px apart
    assert (two.scale, two.first, two.shown, two.note) == (0, 5, 2, "tiles 6–7/64 fit")
    assert two.image.size == (41, 20) and np.asarray(two.image)[10, 5] == 105 and np.asarray(two.image)[10, 30] == 106
    snug = fit_grid(grid, 48, 14)  # 48 x 28 px: the tile fits at 1x, only its gutters do not
    assert (snug.scale, snug.shown, snug.note, snug.image.size) == (1, 1, "tile 1/64 at 1×", (28, 28))
    photo = fit_grid(Image.new("L", (60, 40), 200), 20, 5)  # not a grid: shrunk whole
    assert photo.scale == 0 and photo.note == "shrunk to fit" and photo.image.size == (15, 10)


def test_other_cell_sizes_kitty_or_sixel():
    fit = fit_grid(grid_png(8, 8), 78, 20, cell_px=(10, 20))  # 780 x 400 px
    assert fit.scale == 2 and fit.shown == 64  # re-laid 13 x 5 (378 x 146 px), then doubled
    assert fit.image.size == (760, 300) and fit.cells == (76, 15)
    square = fit_grid(grid_png(8, 8), 60, 20, cell_px=(10, 20))  # 600 x 400 px
    assert square.scale == 1 and square.image.size == (250, 260) and square.cells == (25, 13)
