"""Full-screen sample grid with a step scrubber that follows a training run's new grids.

Opened with `v` from the Runs monitor (or the Generate pane's GAN grid); Esc closes and
focus goes back where it was (Textual keeps each screen's focus). Grids are drawn at an
integer scale (`GridImage`); when 1x does not fit, ↑/↓ page through the tiles.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from aigc_tui.runs.layout import SAMPLE_IMAGE_SUFFIX
from aigc_tui.runs.store import Run
from aigc_tui.ui.image_fit import page_first
from aigc_tui.ui.widgets.grid_image import GridImage

POLL_SECONDS = 1.0
HINT = "←→ [ ] step  home/end  ↑↓ tiles  + - 0 zoom  esc close"
STEP_RE = re.compile(r"^step-(\d+)(.*)$")


def step_label(path: Path) -> str:
    """`step-00000400.png` -> `step 400`, `step-00000010-grid.png` -> `step 10 grid`; others as they are."""
    match = STEP_RE.match(path.stem)
    return f"step {int(match.group(1))}{match.group(2).replace('-', ' ')}" if match else path.stem


class ImageScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,v,q", "close", "Close", id="image.close"),
        Binding("left,left_square_bracket", "step(-1)", "Older", id="image.older"),
        Binding("right,right_square_bracket", "step(1)", "Newer", id="image.newer"),
        Binding("home", "jump(0)", "First", id="image.first"),
        Binding("end", "jump(-1)", "Newest", id="image.newest"),
        Binding("up,pageup", "tiles(-1)", "Earlier tiles", id="image.tiles_up"),
        Binding("down,pagedown", "tiles(1)", "More tiles", id="image.tiles_down"),
        Binding("plus,equals_sign", "zoom(1)", "Zoom in", id="image.zoom_in"),
        Binding("minus", "zoom(-1)", "Zoom out", id="image.zoom_out"),
        Binding("0", "zoom(0)", "Fit", id="image.fit"),
        *(Binding(f"{n},alt+{n}", f"leave('{tab}')", tab, show=False)  # 1-4 (alt+N too) still switch panes
          for n, tab in enumerate(("launch", "runs", "checkpoints", "generate"), start=1)),
    ]
    DEFAULT_CSS = """
    ImageScreen { background: $background; }
    ImageScreen #image-title { height: 1; padding: 0 1; background: $panel; }
    ImageScreen #image-view { height: 1fr; padding: 0 1; }
    ImageScreen #image-empty { height: 1fr; padding: 1 2; color: $text-muted; }
    ImageScreen #image-hint { height: 1; padding: 0 1; color: $text-muted; background: $panel; }
    """

    def __init__(self, source: Callable[[], list[Path]], title: str, current: Path | None = None,
                 empty: str = "no sample grids yet", follow: bool = True) -> None:
        super().__init__()
        self.source = source  # lists the grids, oldest first (called off the UI thread)
        self.title_text = title
        self.paths: list[Path] = []
        self.current = current
        self.empty = empty
        self.follow = follow  # poll for new grids and move to a new one when at the newest

    def compose(self) -> ComposeResult:
        yield Static(self.title_text, id="image-title")
        yield GridImage(hint="↑↓ more", id="image-view")
        yield Static(self.empty, id="image-empty")
        yield Static(HINT, id="image-hint")

    def on_mount(self) -> None:
        self._show()  # "no sample grids yet" until a listing finds some: never a blank screen
        self.reload()
        if self.follow:
            self.set_interval(POLL_SECONDS, self.reload)

    @work(thread=True, exclusive=True, group="image-list", exit_on_error=False)
    def reload(self) -> None:
        paths = self.source()
        self.app.call_from_thread(self.set_paths, paths)

    def set_paths(self, paths: list[Path]) -> None:
        """A fresh listing: keep the grid shown, or move to a new newest one when at the newest."""
        at_newest = not self.paths or self.current == self.paths[-1]
        if paths and (self.current not in paths or (at_newest and self.current != paths[-1])):
            self.current = paths[-1]
        self.paths = paths
        self._show()

    def _show(self) -> None:
        view, empty = self.query_one(GridImage), self.query_one("#image-empty", Static)
        view.display, empty.display = bool(self.paths), not self.paths
        if not self.paths or self.current is None:
            self.query_one("#image-title", Static).update(self.title_text)
            return
        view.show(self.current)
        self._title()

    def _title(self) -> None:
        path, view = self.current, self.query_one(GridImage)
        if path is None:
            return
        try:
            wall = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(path.stat().st_mtime))
        except OSError:
            wall = "?"
        scale = f"{view.fit.scale}×" if view.fit and view.fit.scale else ""
        parts = [self.title_text, step_label(path), f"{self.paths.index(path) + 1}/{len(self.paths)}", wall, scale]
        self.query_one("#image-title", Static).update("  ·  ".join(p for p in parts if p))

    def on_grid_image_fitted(self) -> None:
        self._title()

    def index(self) -> int:
        return self.paths.index(self.current) if self.current in self.paths else len(self.paths) - 1

    def action_step(self, delta: int) -> None:
        if self.paths:
            self.current = self.paths[max(0, min(len(self.paths) - 1, self.index() + delta))]
            self._show()

    def action_jump(self, index: int) -> None:
        if self.paths:
            self.current = self.paths[index]
            self._show()

    def action_tiles(self, direction: int) -> None:
        view = self.query_one(GridImage)
        if view.fit is not None and view.fit.shown < view.fit.total:
            view.set_view(view.zoom, page_first(view.first, view.fit.shown, view.fit.total, direction))

    def action_zoom(self, delta: int) -> None:
        view = self.query_one(GridImage)
        current = view.fit.scale if view.fit and view.fit.scale else 1
        view.set_view(None if delta == 0 else max(1, current + delta), 0 if delta == 0 else None)

    def action_close(self) -> None:
        self.dismiss()

    def action_leave(self, tab: str) -> None:
        self.dismiss()
        self.app.call_later(self.app.action_show_tab, tab)  # type: ignore[attr-defined]


def open_image_view(app: App, run: Run, current: Path | None = None) -> None:
    """A run's sample grids full screen, following new ones while at the newest."""

    def grids() -> list[Path]:
        return [p for p in run.samples() if p.suffix == SAMPLE_IMAGE_SUFFIX]

    app.push_screen(ImageScreen(grids, run.name, current, empty=f"no sample grids in {run.name} yet"))
