"""A run typed into Generate's "model dir / HF id" field is used as the same run picked from the list
(tester8 I11): a GAN run draws its grid; it used to be sent to the LM helper and refused with
"generate needs a language model (use `aigc-tui sample` for GANs ...)"."""

from __future__ import annotations

from fixture_runs import make_fixture_runs, sample_grid
from pilot_wait import settle, wait_for
from test_paste_guard import terminal_sends
from textual.widgets import Input, Select, Static

from aigc_tui.runs import list_runs
from aigc_tui.ui.app import make_app


async def test_a_gan_run_typed_by_name_draws_its_grid(tmp_path):
    root = make_fixture_runs(tmp_path / "runs")
    gan = next(r for r in list_runs(root) if r.name == "fixture-gan")
    app = make_app(root, initial_tab="generate")
    asked: list[tuple[str, str]] = []
    app.generation.gan_grid = lambda model, out, **kw: asked.append(("grid", model)) or "r1"
    app.generation.generate = lambda model, *a, **kw: asked.append(("generate", model)) or "r2"
    async with app.run_test(size=(100, 30)) as pilot:
        model = app.query_one("#gen-model", Select)
        await settle(pilot, lambda: not model.is_blank())  # the default: the newest LM
        app.query_one("#gen-model-path", Input).value = "fixture-gan"
        app.query_one("#gen-model-path", Input).focus()
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: asked, what="a request")
        assert asked == [("grid", str(gan.checkpoints()[-1].path))]
        assert model.value == str(gan.checkpoints()[-1].path) and app.query_one("#gen-model-path", Input).value == ""
        assert app.query_one("#gan-controls").display and not app.query_one("#lm-controls").display


async def test_a_model_dir_or_hf_id_typed_still_goes_to_the_lm_helper(tmp_path):
    app = make_app(make_fixture_runs(tmp_path / "runs"), initial_tab="generate")
    asked: list[str] = []
    app.generation.generate = lambda model, *a, **kw: asked.append(model) or "r2"
    async with app.run_test(size=(100, 30)) as pilot:
        model = app.query_one("#gen-model", Select)
        await settle(pilot, lambda: not model.is_blank())
        app.query_one("#gen-model-path", Input).value = "gpt2"
        app.query_one("#gen-model-path", Input).focus()
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: asked, what="a request")
        assert asked == ["gpt2"] and app.query_one("#gen-model-path", Input).value == "gpt2"


async def test_a_grid_drawn_by_another_model_says_so_when_the_picker_moves_on(tmp_path):
    """tester9 F10: the picker on `live-prune@443 (gan)` with the digits model's grid under it, unnamed."""
    root = make_fixture_runs(tmp_path / "runs")
    gan = next(r for r in list_runs(root) if r.name == "fixture-gan")
    newest, older = (str(c.path) for c in gan.checkpoints()[-1:-3:-1])
    app = make_app(root, initial_tab="generate")
    app.generation.gan_grid = lambda model, out, **kw: "r1"
    async with app.run_test(size=(100, 30)) as pilot:
        model = app.query_one("#gen-model", Select)
        await settle(pilot, lambda: not model.is_blank())
        model.value = newest
        await wait_for(pilot, lambda: app.query_one("#gan-controls").display, what="the GAN controls")
        await pilot.press("ctrl+g")
        png = tmp_path / "s0.png"
        sample_grid(0).save(png)
        app.query_one("GeneratePane").handle_event({"id": "r1", "event": "image", "path": str(png)})
        status = app.query_one("#gan-status", Static)
        await wait_for(pilot, lambda: str(status.render()) == "s0.png", what="the grid's name")
        model.value = older
        await wait_for(pilot, lambda: "drawn by" in str(status.render()), what="whose grid it is")
        line = str(status.render())
        assert "s0.png: drawn by fixture-gan@" in line and f"not {gan.name}@" in line, line
        model.value = newest  # back to the model that drew it
        await wait_for(pilot, lambda: str(status.render()) == "s0.png", what="the grid's name alone")


async def test_ctrl_g_right_after_a_pick_draws_with_the_model_picked(tmp_path):
    """tester10 T10: `Up Enter ^g` in one read drew with the model picked before (its Changed still queued)."""
    root = make_fixture_runs(tmp_path / "runs")
    gan = next(r for r in list_runs(root) if r.name == "fixture-gan")
    newest, older = (str(c.path) for c in gan.checkpoints()[-1:-3:-1])
    app = make_app(root, initial_tab="generate")
    asked: list[str] = []
    app.generation.gan_grid = lambda model, out, **kw: asked.append(model) or f"r{len(asked)}"
    async with app.run_test(size=(100, 30)) as pilot:
        model = app.query_one("#gen-model", Select)
        await settle(pilot, lambda: not model.is_blank())
        model.value = newest
        await wait_for(pilot, lambda: app.query_one("#gan-controls").display, what="the GAN controls")
        await pilot.pause()
        with model.prevent(Select.Changed):  # the pick, its message not handled yet when ctrl+g arrives
            model.value = older
        terminal_sends(app, "\x07")
        await wait_for(pilot, lambda: asked, what="a grid asked for")
        assert asked == [older]
