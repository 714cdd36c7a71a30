"""A sample grid drawn at a whole-number scale in whatever space the layout gives it.

textual-image would resize the PNG to the widget (a 242 px grid squeezed into 44 px reads
as grey stripes). Here the PNG is first upscaled by an integer factor (nearest
neighbour), re-laid or paged by tiles when 1x does not fit (see `ui.image_fit`), padded to
whole cells, and the image widget is sized to exactly those cells, so its own resize
changes nothing. A one-line note says when tiles are off-screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from aigc_tui.ui.image_fit import Fit, Tiles, find_tiles, fit_grid
from aigc_tui.ui.widgets.sample_image import SampleImage, cell_pixels


def load_png(path: Path) -> Image.Image | None:
    """The picture, fully read (None when missing or unreadable: a run may be deleting it)."""
    try:
        with Image.open(path) as img:
            img.load()
            return img.copy()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


class GridImage(Vertical):
    """Shows one PNG at an integer scale; `zoom` (None: fit) and `first` (tile) are the view."""

    DEFAULT_CSS = """
    GridImage { height: 1fr; }
    GridImage > .grid-pic { width: auto; height: auto; }
    GridImage > .grid-note { height: 1; color: $text-muted; }
    """

    class Open(Message):
        """The user clicked the grid: its owner opens the full-screen view."""

        def __init__(self, path: Path | None) -> None:
            super().__init__()
            self.path = path

    class Fitted(Message):
        """A new fit was drawn (its scale and tiles are in `GridImage.fit`)."""

    def __init__(self, hint: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hint = hint  # appended to the note when tiles are off-screen, e.g. "v full view"
        self.path: Path | None = None
        self.zoom: int | None = None
        self.first = 0
        self.fit: Fit | None = None
        self._picture: Image.Image | None = None
        self._tiles: Tiles | None = None  # found once per file (a full-image scan), not per resize
        self._stamp: tuple[str, int] | None = None
        self._fitted_for: tuple[int, int] | None = None  # the cells the current fit was made for

    def compose(self) -> ComposeResult:
        yield SampleImage(classes="grid-pic")
        yield Static("", classes="grid-note")

    def show(self, path: Path | None) -> None:
        """Draw `path` (again only when the file changed)."""
        try:
            stamp = (str(path), path.stat().st_mtime_ns) if path else None
        except OSError:
            stamp = (str(path), 0)
        if stamp == self._stamp:
            return
        self.path, self._stamp = path, stamp
        self._picture = load_png(path) if path else None
        self._tiles = find_tiles(self._picture) if self._picture is not None else None
        if path is not None and self._picture is None:
            self._note(f"could not read {path.name}")
        self.refit(force=True)

    def set_view(self, zoom: int | None = None, first: int | None = None) -> None:
        self.zoom = zoom
        if first is not None:
            self.first = first
        self.refit(force=True)

    def on_resize(self) -> None:
        self.refit()

    def refit(self, force: bool = False) -> None:
        pic = self.query_one(".grid-pic", SampleImage)
        size = (self.content_size.width, self.content_size.height - 1)  # the last row is the note
        if not force and size == self._fitted_for:
            return
        self._fitted_for = size
        if self._picture is None or size[0] <= 0 or size[1] <= 0:
            pic.display = False
            self.fit = None
            if self._picture is not None:
                self._note("")
            return
        fit = fit_grid(self._picture, size[0], size[1], cell_pixels(), self.zoom, self.first, self._tiles)
        self.fit, self.first = fit, fit.first
        pic.display = True
        pic.styles.width, pic.styles.height = fit.cells
        pic.image = fit.image
        note = fit.note
        self._note(f"{note} · {self.hint}" if note and self.hint else note)
        self.post_message(self.Fitted())

    def _note(self, text: str) -> None:
        self.query_one(".grid-note", Static).update(text)

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(self.Open(self.path))
