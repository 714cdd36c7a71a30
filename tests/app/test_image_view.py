"""The full-screen grid view: open with `v`, scrub steps, follow new grids, Esc back; integer scales."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from fixture_runs import FIXED_NOW, _status, sample_grid
from pilot_wait import wait_for
from textual.widgets import DataTable, Input, Static, TabbedContent

from aigc_tui.runs import list_runs
from aigc_tui.ui.app import make_app
from aigc_tui.ui.image_screen import ImageScreen
from aigc_tui.ui.panes.runs import RunsPane
from aigc_tui.ui.widgets.gan_panel import GanPanel
from aigc_tui.ui.widgets.grid_image import GridImage


def make_gan_run(root: Path, steps: tuple[int, ...] = (100, 200, 300), name: str = "grids") -> Path:
    """A finished GAN run with one synthetic sample grid per step, each with a fixed wall time."""
    run = root / f"20260102-000000-{name}-dddd"
    for sub in ("checkpoints", "samples", "control"):
        (run / sub).mkdir(parents=True)
    (run / "config.toml").write_text(f'kind = "gan"\nname = "{name}"\n[run]\nsteps = 300\n')
    _status(run, step=300, total_steps=300)
    (run / "log.txt").write_text("")
    for step in steps:
        add_grid(run, step)
    return run


def add_grid(run: Path, step: int) -> Path:
    path = run / "samples" / f"step-{step:08d}.png"
    sample_grid(step // 100).save(path)
    os.utime(path, (FIXED_NOW + step, FIXED_NOW + step))
    return path


def title(app) -> str:
    return str(app.screen.query_one("#image-title", Static).render())


async def open_view(pilot, app) -> ImageScreen:
    table = app.query_one(DataTable)
    await wait_for(pilot, lambda: table.row_count >= 1 and app.query_one(RunsPane).selected, what="the runs")
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, ImageScreen), what="the image view")
    return app.screen


async def test_scrub_follow_and_close(tmp_path):
    run = make_gan_run(tmp_path / "runs")
    app = make_app(tmp_path / "runs", clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(DataTable)
        screen = await open_view(pilot, app)
        await wait_for(pilot, lambda: "step 300" in title(app), what="the newest grid")
        assert "3/3" in title(app)
        assert time.strftime("%H:%M:%S", time.localtime(FIXED_NOW + 300)) in title(app)  # its wall time
        await pilot.press("home")
        assert "step 100" in title(app) and "1/3" in title(app)
        await pilot.press("right")
        assert "step 200" in title(app) and "2/3" in title(app)
        await pilot.press("left_square_bracket", "left")  # already at the first: stays
        assert "step 100" in title(app)
        await pilot.press("end")
        assert "step 300" in title(app) and "3/3" in title(app)

        add_grid(run, 400)  # a new grid while at the newest: the view moves to it
        await wait_for(pilot, lambda: "step 400" in title(app) and "4/4" in title(app), what="following")
        await pilot.press("left")
        add_grid(run, 500)  # scrubbed back: it stays where the user is
        await wait_for(pilot, lambda: "5/5" not in title(app) and "/5" in title(app), what="the new listing")
        assert "step 300" in title(app) and "3/5" in title(app)

        view = screen.query_one(GridImage)
        assert view.fit is not None and isinstance(view.fit.scale, int) and view.fit.scale >= 1
        assert view.fit.image.size[0] % view.fit.scale == 0

        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ImageScreen), what="the view to close")
        assert app.focused is table  # focus back where it was


async def test_a_run_without_grids_says_so_in_one_line(tmp_path):
    make_gan_run(tmp_path / "runs", steps=(), name="empty")
    app = make_app(tmp_path / "runs", clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_view(pilot, app)
        await wait_for(pilot, lambda: screen.query_one("#image-empty").display, what="the message")
        message = str(screen.query_one("#image-empty", Static).render())
        assert message == "no sample grids in empty yet"
        assert not screen.query_one(GridImage).display
        await pilot.press("right", "home", "plus", "down")  # nothing to scrub: no error
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ImageScreen), what="the view to close")


async def test_the_small_panel_draws_at_an_integer_scale_and_pages_tiles(tmp_path):
    make_gan_run(tmp_path / "runs")
    app = make_app(tmp_path / "runs", clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one("#sample-image", GridImage)
        # the layout settles over a few frames (a first fit may see a few rows only)
        await wait_for(pilot, lambda: panel.fit is not None and panel.fit.scale >= 1, what="the panel's grid")
        assert panel.fit.shown < panel.fit.total  # 80x24: some tiles only
        assert "v full view" in str(panel.query_one(".grid-note", Static).render())
        screen = await open_view(pilot, app)
        view = screen.query_one(GridImage)
        # a 44 px 3x3 grid in 78 x 42 px: too tall at 1x as it is, so its tiles are re-laid 5 x 2
        await wait_for(pilot, lambda: view.fit is not None and view.fit.cells == (66, 14), what="the full view's grid")
        assert (view.fit.shown, view.fit.total, view.fit.scale) == (9, 9, 1)
        await pilot.press("plus", "plus", "plus", "plus", "plus")  # clamped at 3x: one 14 px tile in 42 px
        await wait_for(pilot, lambda: view.fit.scale == 3 and view.fit.shown == 1, what="zoomed in: one tile")
        await pilot.press("minus")
        await wait_for(pilot, lambda: view.fit.scale == 2 and view.fit.shown == 2, what="zoom out: two tiles")
        first = view.fit.first
        await pilot.press("down")
        await wait_for(pilot, lambda: view.fit.first > first, what="the next tiles")
        await pilot.press("0")
        await wait_for(pilot, lambda: view.fit.shown == 9, what="fit again")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_image_view_snapshot(snap_compare, tmp_path, size):
    make_gan_run(tmp_path / "runs")
    app = make_app(tmp_path / "runs", clock=lambda: FIXED_NOW)

    async def before(pilot):
        screen = await open_view(pilot, app)
        view = screen.query_one(GridImage)
        await wait_for(pilot, lambda: view.fit is not None and "step 300" in title(app), what="the grid")
        await pilot.press("left")  # step 200: the scrubber's label changes with the grid
        await wait_for(pilot, lambda: "step 200" in title(app) and view.path.name == "step-00000200.png",
                       what="step 200")
        frames: list[str] = []
        while len(frames) < 4 or len(set(frames[-4:])) > 1:  # settled: the same frame four times
            await pilot.pause(0.1)
            frames.append(app.export_screenshot())

    assert snap_compare(app, terminal_size=size, run_before=before)


async def test_generate_gan_grid_opens_full_screen_and_esc_comes_back(fixture_runs, tmp_path):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one("GeneratePane")
        gan = next(r for r in list_runs(fixture_runs) if r.name == "fixture-gan")
        pane.open_checkpoint(gan.checkpoints()[-1])
        await wait_for(pilot, lambda: app.query_one(GanPanel).display and app.focused is app.query_one("#gan-grid"),
                       what="the GAN controls")
        png = tmp_path / "drawn.png"
        sample_grid(0, cols=8, rows=8, tile=28).save(png)  # 242 px: the size a 64-sample grid has
        app.query_one(GanPanel).show_image(png)
        await pilot.press("p", "v")  # p: into the seed field, where v types, not a view
        assert not isinstance(app.screen, ImageScreen)
        await pilot.press("escape")  # leaves the field for the panel's Grid button
        assert app.focused is app.query_one("#gan-grid")
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, ImageScreen), what="the image view")
        view = app.screen.query_one(GridImage)
        # two 28 px digits in 78 x 42 px at 1x, not 64 blurred
        await wait_for(pilot, lambda: view.fit is not None and view.fit.shown == 2, what="the grid")
        assert view.fit.scale == 1 and "drawn.png" in title(app) and "1/1" in title(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ImageScreen), what="the view to close")
        assert app.focused is app.query_one("#gan-grid")


async def test_after_a_gan_grid_a_digit_switches_pane_not_the_seed(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        gan = next(r for r in list_runs(fixture_runs) if r.name == "fixture-gan")
        app.query_one("GeneratePane").open_checkpoint(gan.checkpoints()[-1])
        await wait_for(pilot, lambda: app.focused is app.query_one("#gan-grid"), what="the GAN controls")
        await pilot.press("p", "5", "ctrl+g", "2")  # a seed typed into its field, the grid drawn, then Runs
        await wait_for(pilot, lambda: app.query_one(TabbedContent).active == "runs", what="the Runs pane")
        assert app.query_one("#gan-seed", Input).value == "5"  # the 2 switched panes, not typed after the 5


async def test_pane_keys_leave_the_view_for_that_pane(tmp_path):
    make_gan_run(tmp_path / "runs")
    app = make_app(tmp_path / "runs", clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(pilot, app)
        await pilot.press("3")
        await wait_for(pilot, lambda: not isinstance(app.screen, ImageScreen), what="the view to close")
        await wait_for(pilot, lambda: app.query_one(TabbedContent).active == "checkpoints", what="Checkpoints")


async def test_tile_paging_stops_at_the_last_full_page(tmp_path):
    run = make_gan_run(tmp_path / "runs", steps=())
    sample_grid(0, cols=8, rows=8, tile=28).save(run / "samples" / "step-00000300.png")  # 64 digits, 242 px
    app = make_app(tmp_path / "runs", clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_view(pilot, app)
        view = screen.query_one(GridImage)
        note = screen.query_one(".grid-note", Static)
        await wait_for(pilot, lambda: view.fit is not None and view.fit.total == 64, what="the grid")
        page = view.fit.shown
        assert 1 < page < 64
        for _ in range(64 // page + 2):  # more ↓ than there are pages
            await pilot.press("down")
        last = 64 - page
        await wait_for(pilot, lambda: view.fit.first == last, what="the last page")
        assert view.fit.shown == page  # a full page, never "tiles 64–64/64"
        assert f"tiles {last + 1}–64/64" in str(note.render())
        await pilot.press("up")
        await wait_for(pilot, lambda: view.fit.first == last - page, what="the page before")
        assert view.fit.shown == page


async def test_save_png_asks_before_replacing_a_file(fixture_runs, tmp_path):
    """Save PNG replaced an existing file without a word."""
    from aigc_tui.ui.confirm import ConfirmScreen

    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        gan = next(r for r in list_runs(fixture_runs) if r.name == "fixture-gan")
        app.query_one("GeneratePane").open_checkpoint(gan.checkpoints()[-1])
        await wait_for(pilot, lambda: app.query_one(GanPanel).display, what="the GAN controls")
        assert "seed" in str(app.query_one("#gan-bar Label", Static).render())  # the fields say what they are
        png = tmp_path / "drawn.png"
        sample_grid(0, cols=8, rows=8, tile=28).save(png)
        app.query_one(GanPanel).show_image(png)
        precious = tmp_path / "grid.png"
        precious.write_text("precious")
        app.query_one("#gan-save-path", Input).value = str(precious)
        save = app.query_one("#gan-save")
        await wait_for(pilot, lambda: not save.disabled and save.region.width and app.screen.get_widget_at(
            *save.region.center)[0] is save, what="Save PNG on screen")
        await pilot.click("#gan-save")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="the answer")
        assert precious.read_text() == "precious"
        await pilot.click("#gan-save")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question again")
        await pilot.press("y")
        await wait_for(pilot, lambda: precious.read_bytes() == png.read_bytes(), what="the file replaced")


async def test_the_80x24_panel_shows_a_whole_28px_digit_shrunk(tmp_path):
    """gan_mlp_digits' 8x8 grid of 28 px digits in the 80x24 monitor (28 x 20 px): it showed the
    top of part of the first digit at 1x ("crop at 1×"); now the whole first tile, area-averaged."""
    import numpy as np
    from PIL import Image

    run = make_gan_run(tmp_path / "runs", steps=())
    grid = np.full((2 + 8 * 30, 2 + 8 * 30), 38, dtype=np.uint8)  # make_grid's grey gutters
    for k in range(64):
        y, x = 2 + (k // 8) * 30, 2 + (k % 8) * 30
        grid[y:y + 28, x:x + 28] = 0
        grid[y:y + 28, x:x + 3] = grid[y:y + 28, x + 25:x + 28] = 255  # a frame: every side of a tile is bright
        grid[y:y + 3, x:x + 28] = grid[y + 25:y + 28, x:x + 28] = 255
    Image.fromarray(grid).save(run / "samples" / "step-00000300.png")
    app = make_app(tmp_path / "runs", clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one("#sample-image", GridImage)
        note = panel.query_one(".grid-note", Static)
        await wait_for(pilot, lambda: "tile 1/64 fit · v full view" == str(note.render()), what="the shrunk tile's note")
        assert panel.fit.shown == 1 and panel.fit.first == 0
        shown = np.asarray(panel.fit.image.convert("L"))
        h, w = panel.fit.image.height, panel.fit.image.width
        side = min(h, w)  # the tile is square: its bright frame on all four sides, the dark middle between
        assert side >= 14 and shown[:side, 0].min() > 100 and shown[:side, side - 1].min() > 100
        assert shown[0, :side].min() > 100 and shown[side - 1, :side].min() > 100
        assert shown[side // 2, side // 2] < 40


async def test_save_png_to_a_missing_folder_is_refused_and_creates_nothing(fixture_runs, tmp_path):
    """tester7 H14: Save PNG made every missing folder of a mistyped path; the CLI's -o refuses it."""
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        gan = next(r for r in list_runs(fixture_runs) if r.name == "fixture-gan")
        app.query_one("GeneratePane").open_checkpoint(gan.checkpoints()[-1])
        await wait_for(pilot, lambda: app.query_one(GanPanel).display, what="the GAN controls")
        png = tmp_path / "drawn.png"
        sample_grid(0, cols=8, rows=8, tile=28).save(png)
        app.query_one(GanPanel).show_image(png)
        typo = tmp_path / "nope" / "deep" / "x.png"
        app.query_one("#gan-save-path", Input).value = str(typo)
        app.query_one(GanPanel).save_png()
        status = str(app.query_one("#gan-status", Static).render())
        assert f"the folder {typo.parent} does not exist" in status, status
        assert not (tmp_path / "nope").exists()
