"""Generate for a GAN checkpoint: a grid by seed, an interpolation between two seeds, save as PNG."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from aigc_tui.paths import app_home
from aigc_tui.ui.confirm import ConfirmScreen
from aigc_tui.ui.focus_now import focus_now
from aigc_tui.ui.image_screen import ImageScreen
from aigc_tui.ui.markup import literal
from aigc_tui.ui.widgets.grid_image import GridImage
from aigc_tui.ui.widgets.text_fields import FieldInput

MAX_SEED = 2**63 - 1  # config.common.MAX_SEED; not imported: the recipe schema is not loaded at start-up


class GanPanel(Vertical):
    """Draws through the app's generation helper; the pane forwards its `image` events here."""

    BINDINGS = [Binding("v", "view_image", "View grid", id="gan.view_image")]
    DEFAULT_CSS = """
    GanPanel #gan-bar { height: 1; }
    GanPanel #gan-bar Input { width: auto; min-width: 9; margin-right: 1; }  /* a long seed shows whole */
    GanPanel #gan-bar Button { margin-right: 1; width: auto; min-width: 0; }
    GanPanel #gan-bar #gan-save-path { width: 1fr; }
    GanPanel #gan-status { height: 1; color: $text-muted; }
    GanPanel #gan-image { height: 1fr; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_ref = ""
        self.model_name = ""  # the picker's name for model_ref (`digits@200`)
        self.request: str | None = None
        self.last_image: Path | None = None
        self._drawing = ("", "")  # (model_ref, model_name) of the request in flight
        self._image_by = ("", "")  # the same for last_image

    def set_model(self, ref: str, name: str) -> None:
        """The model picked: a grid drawn by another one stays, said to be that model's (tester9 F10)."""
        self.model_ref, self.model_name = ref, name
        if self.last_image is not None:
            self._status(self._image_line())

    def _image_line(self) -> str:
        assert self.last_image is not None
        ref, name = self._image_by
        if ref == self.model_ref:
            return literal(self.last_image.name)
        return literal(f"{self.last_image.name}: drawn by {name}, not {self.model_name or 'the model picked'}"
                       " (ctrl+g draws this one)")

    def compose(self) -> ComposeResult:
        with Horizontal(id="gan-bar"):
            yield Label("seed ")
            yield FieldInput("0", id="gan-seed", type="integer", placeholder="seed", compact=True)
            yield Label("B ")  # interpolate from seed to seed B
            yield FieldInput("1", id="gan-seed-b", type="integer", placeholder="seed B", compact=True)
            yield Button("Grid", id="gan-grid", variant="success", compact=True)
            yield Button("Interpolate", id="gan-interp", compact=True)
            yield FieldInput("grid.png", id="gan-save-path", compact=True)
            yield Button("Save PNG", id="gan-save", disabled=True, compact=True)
        yield Static("", id="gan-status")
        yield GridImage(hint="v full view", id="gan-image")

    def _status(self, text: str) -> None:
        self.query_one("#gan-status", Static).update(text)

    def _seed(self, widget_id: str) -> int | None:
        raw = self.query_one(widget_id, Input).value.strip()
        try:
            seed = int(raw)
        except ValueError:
            self._status(f"[red]seed {literal(repr(raw))} is not a whole number[/]")
            return None
        if not 0 <= seed <= MAX_SEED:
            self._status(f"[red]seed {seed}: must be from 0 to {MAX_SEED}[/]")
            return None
        return seed

    def _out_path(self, tag: str) -> Path:
        folder = app_home() / "generated"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{tag}.png"

    @on(Button.Pressed, "#gan-grid")
    def grid(self) -> str | None:
        seed = self._seed("#gan-seed")
        if seed is None or not self.model_ref:
            return None
        self._status("drawing…")
        self._drawing = (self.model_ref, self.model_name)
        self.request = self.app.generation.gan_grid(self.model_ref, self._out_path(f"s{seed}"), n=64, seed=seed)
        focus_now(self.query_one("#gan-grid"))  # out of the seed field: `2`, `v`... are pane keys again, not digits
        return self.request

    @on(Button.Pressed, "#gan-interp")
    def interpolate(self) -> None:
        a, b = self._seed("#gan-seed"), self._seed("#gan-seed-b")
        if a is None or b is None or not self.model_ref:
            return
        self._status("drawing…")
        self._drawing = (self.model_ref, self.model_name)
        self.request = self.app.generation.gan_interpolate(self.model_ref, self._out_path(f"s{a}-s{b}"), a, b, steps=10)
        focus_now(self.query_one("#gan-interp"))  # out of the seed fields, as after a grid

    def show_image(self, path: Path) -> None:
        self.last_image, self._image_by = path, self._drawing
        self.query_one("#gan-image", GridImage).show(path)
        self._status(self._image_line())
        self.query_one("#gan-save", Button).disabled = False
        self.request = None

    def action_view_image(self) -> None:
        """The drawn grid full screen (Esc comes back here)."""
        if self.last_image is None:
            self.notify("draw a grid first", severity="warning")
            return
        image = self.last_image
        self.app.push_screen(ImageScreen(lambda: [image], f"generated {image.name}", image, follow=False))

    def on_grid_image_open(self, event: GridImage.Open) -> None:
        self.action_view_image()

    def show_error(self, message: str) -> None:
        self._status(f"[red]error: {message}[/]")
        self.request = None

    def handle_event(self, event: dict[str, Any]) -> bool:
        """Take the helper's answer to this panel's request (the grid, or why not); False when it is
        someone else's."""
        if self.request is None or event.get("id") != self.request:
            return False
        if event["event"] == "image":
            self.show_image(Path(event["path"]))
        elif event["event"] == "error":
            self.show_error(event["message"])
        return True

    @on(Button.Pressed, "#gan-save")
    def save_png(self) -> None:
        if self.last_image is None:
            return
        target = Path(self.query_one("#gan-save-path", Input).value.strip() or "grid.png").expanduser()
        if target.suffix.lower() != ".png":
            self._status(f"[red]{target}: the file name must end in .png[/]")
            return
        if not target.absolute().parent.is_dir():  # a typo made the whole path, as root even at / (tester7 H14)
            self._status(f"[red]{target}: the folder {target.absolute().parent} does not exist[/]")
            return
        if target.exists():  # ask first, as Save recipe does
            image = self.last_image
            self.app.push_screen(ConfirmScreen(f"{target.resolve()} exists. Replace it?", yes="Replace (y)"),
                                 lambda yes: self._save(image, target) if yes else None)
            return
        self._save(self.last_image, target)

    def _save(self, image: Path, target: Path) -> None:
        try:
            shutil.copyfile(image, target)
        except OSError as exc:
            self._status(f"[red]could not save {target}: {exc.strerror}[/]")
            return
        self.notify(f"saved {target.resolve()}")
