"""The Launch form shows the fields that apply to the chosen recipe, for every kind of recipe."""

from __future__ import annotations

import asyncio
import tomllib

from pilot_wait import wait_for
from textual.widgets import Input, OptionList, Select, Static, Switch

from aigc_tui.ui.app import make_app
from aigc_tui.ui.widgets.config_form import ConfigForm


async def show_recipe(pilot, app, stem: str) -> ConfigForm:
    pane = app.query_one("LaunchPane")
    await wait_for(pilot, lambda: pane.paths and app.query(ConfigForm), what="the launch form")
    path = next(p for p in pane.paths if p.stem == stem)
    name = tomllib.loads(path.read_text())["name"]
    app.query_one("#recipes", OptionList).highlighted = pane.paths.index(path)
    await wait_for(pilot, lambda: pane.config is not None and pane.config.name == name,
                   what=f"the form of {stem}, validated once as loaded")
    return app.query_one(ConfigForm)


def shown(app, section: str, key: str) -> bool:
    rows = app.query(f"#row-{section}-{key}")
    return bool(rows) and rows.first().display


def help_lines(app) -> str:
    return "\n".join(str(s.render()) for s in app.query(".help").results(Static))


async def test_an_lm_form_has_no_gan_fields_and_follows_fine_tune_and_lora(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        await show_recipe(pilot, app, "lm_gpt_python_docs")
        for section, key in (("model", "g_hidden"), ("model", "g_features"), ("train", "n_critic"),
                             ("train", "loss"), ("train", "mask_prob")):
            assert not shown(app, section, key), key
        assert "GAN" not in help_lines(app) and "n_critic" not in help_lines(app)
        assert shown(app, "model", "n_layer") and shown(app, "model", "vocab_size")  # from scratch
        assert not shown(app, "model", "if_missing") and not shown(app, "model", "allow_download")
        assert not shown(app, "model", "lora_r") and not shown(app, "train", "strategy")
        assert not shown(app, "run", "rdzv_endpoint") and not shown(app, "run", "sweep")

        app.query_one("#f-model-pretrained", Input).value = "lm-gpt-python-docs"
        await wait_for(pilot, lambda: shown(app, "model", "if_missing"), what="the fine-tune fields")
        assert not shown(app, "model", "n_layer") and not shown(app, "model", "vocab_size")
        assert shown(app, "model", "block_size")  # a fine-tune still trains on blocks of this length
        app.query_one("#f-model-lora", Switch).value = True
        await wait_for(pilot, lambda: shown(app, "model", "lora_r"), what="the LoRA sizes")
        app.query_one("#f-run-nproc", Input).value = "2"
        await wait_for(pilot, lambda: shown(app, "train", "strategy"), what="the ddp/fsdp choice")
        assert shown(app, "run", "max_restarts")


async def test_a_classify_form_shows_labels_and_eval_but_no_other_kinds_fields(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        form = await show_recipe(pilot, app, "bert_classify_docstrings")
        assert form.kind == "classify"
        for section, key in (("data", "labels"), ("data", "dev_fraction"), ("train", "eval_every"),
                             ("model", "max_length")):
            assert shown(app, section, key), key
        for section, key in (("model", "g_hidden"), ("train", "n_critic"), ("train", "mask_prob"),
                             ("model", "lora"), ("train", "sample_prompt")):
            assert not shown(app, section, key), key
        assert "GAN" not in help_lines(app)
        app.query_one("#f-data-dev", Input).value = "labelled:/data/dev.jsonl"
        await wait_for(pilot, lambda: not shown(app, "data", "dev_fraction"), what="dev_fraction to go")
        # pretrained with if_missing = "scratch": the sizes of the from-scratch fallback apply
        assert shown(app, "model", "n_layer") and shown(app, "model", "vocab_size")
        assert "predicted labels" in help_lines(app)  # what run.sample_every writes for a classifier
        app.query_one("#f-model-if_missing", Select).value = "error"
        await wait_for(pilot, lambda: not shown(app, "model", "n_layer"), what="the sizes to go (fine-tune only)")


async def test_a_gan_form_keeps_its_own_help_and_hides_the_other_architecture(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        await show_recipe(pilot, app, "gan_mlp_digits")
        assert shown(app, "model", "g_hidden") and not shown(app, "model", "g_features")
        assert "a GAN step is n_critic D updates" in help_lines(app)
        assert not shown(app, "model", "pretrained")
        assert not shown(app, "data", "root") and not shown(app, "data", "download")  # builtin:digits
        app.query_one("#f-data-source", Input).value = "mnist"
        await wait_for(pilot, lambda: shown(app, "data", "root") and shown(app, "data", "download"),
                       what="torchvision's root and download")


async def test_quick_arrow_presses_build_only_the_form_they_end_on(runs_dir, monkeypatch):
    """Each form costs ~1.5 s of CPU: four ↓ pressed while one builds must not queue four more
    builds (the form lagged seconds behind the list), only the one the cursor ends on."""
    from aigc_tui.ui.panes.launch import LaunchPane

    real, built, held = LaunchPane._show_recipe, [], asyncio.Event()
    held.set()

    async def counted(self, path, data):
        built.append(path.stem)
        try:  # the test holds the first build until its keys are in (30 s only if it never lets go)
            await asyncio.wait_for(held.wait(), 30)
        except TimeoutError:
            pass
        await real(self, path, data)

    monkeypatch.setattr(LaunchPane, "_show_recipe", counted)
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(LaunchPane)
        await wait_for(pilot, lambda: pane.config is not None, what="the default recipe's form")
        options = app.query_one("#recipes", OptionList)
        options.focus()
        start, built[:] = options.highlighted, []
        held.clear()
        await pilot.press("down")
        await wait_for(pilot, lambda: built, what="the first build to start")
        await pilot.press("down", "down", "down", "down")
        await wait_for(pilot, lambda: options.highlighted == start + 5, what="the cursor to move")
        held.set()
        last = pane.paths[start + 5]
        name = tomllib.loads(last.read_text())["name"]
        await wait_for(pilot, lambda: pane.config is not None and pane.config.name == name, what="the last form")
        assert built == [pane.paths[start + 1].stem, last.stem]


async def test_an_unreadable_recipe_clears_the_form_and_start_starts_nothing(runs_dir):
    """A user recipe that is not UTF-8 crashed the app; one that is bad TOML left the previous
    recipe's form up with Start enabled, and ctrl+s started that other recipe."""
    from textual.widgets import Button

    from aigc_tui.paths import config_dir
    from aigc_tui.runs import list_runs

    recipes = config_dir() / "recipes"
    recipes.mkdir(parents=True)
    (recipes / "binary.toml").write_bytes(b"\xff\xfe garbage")
    (recipes / "broken.toml").write_text('kind = "gan"\n[run\nsteps = 5\n')
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one("LaunchPane")
        await show_recipe(pilot, app, "gan_mlp_digits")
        errors = app.query_one("#launch-errors", Static)
        for stem, why in (("broken", "Expected ']'"), ("binary", "not UTF-8 text")):
            app.query_one("#recipes", OptionList).highlighted = next(
                i for i, p in enumerate(pane.paths) if p.stem == stem)
            await wait_for(pilot, lambda stem=stem, why=why: f"{stem}.toml: {why}" in str(errors.render()),
                           what=f"{stem}'s error")
            assert not app.query(ConfigForm) and pane.config is None
            assert app.query_one("#start", Button).disabled and app.query_one("#save-recipe", Button).disabled
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert list_runs(runs_dir) == []
        good = next(i for i, p in enumerate(pane.paths) if p.stem == "gan_mlp_digits")
        app.query_one("#recipes", OptionList).highlighted = good  # a good one brings the form and Start back
        await wait_for(pilot, lambda: pane.config is not None and not app.query_one("#start", Button).disabled,
                       what="the form again")


async def test_every_field_name_stays_on_one_line_at_80x24(runs_dir):
    """The label "sample_temperature" wrapped as "sample_temperatur" / "e" (LM recipes, 80x24)."""
    from textual.widgets import Label

    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(80, 24)) as pilot:
        for stem in ("lm_gpt_python_docs", "gan_mlp_digits"):
            form = await show_recipe(pilot, app, stem)
            await pilot.pause()
            labels = [label for label in form.query(".row Label").results(Label) if label.parent.display]
            assert "sample_temperature" in [str(label.render()) for label in labels] or stem != "lm_gpt_python_docs"
            wrapped = [str(label.render()) for label in labels if label.size.height != 1]
            assert wrapped == [], wrapped


async def test_every_recipe_name_fits_on_one_line_of_the_list_at_80x24(runs_dir, isolated_home):
    """`bert_classify_docstrings` wrapped onto two lines; a long user recipe name is cut with an ellipsis."""
    from screen_text import screen_text

    from aigc_tui.paths import config_dir

    (config_dir() / "recipes").mkdir(parents=True)
    (config_dir() / "recipes" / "my_very_long_recipe_name_for_the_list.toml").write_text('kind = "gan"\n')
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one("LaunchPane")
        await wait_for(pilot, lambda: pane.paths and app.query(ConfigForm), what="the launch form")
        options = app.query_one("#recipes", OptionList)
        lines = screen_text(app).splitlines()
        for stem in ("bert_classify_docstrings", "gan_dcgan_imagefolder", "lm_code_python_stdlib"):
            assert any(stem in line for line in lines), stem
        assert any("my_very_long_recipe" in line and "…" in line for line in lines)
        assert options.option_count == len(pane.paths)
        assert all(options.get_option_at_index(i).prompt for i in range(options.option_count))


async def test_keys_into_a_field_scrolled_out_of_view_bring_it_back(runs_dir):
    """tester7 H11: with the form scrolled on (mouse wheel), keys went into the focused field off screen."""
    from textual.containers import VerticalScroll

    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(80, 24)) as pilot:
        await show_recipe(pilot, app, "gan_mlp_digits")
        holder = app.query_one("#form-holder", VerticalScroll)
        field = app.query_one("#f-run-sample_every", Input)
        held = []

        def focused() -> bool:  # the form settles (the recipe list may take focus back once) then keeps it
            if app.focused is not field:
                held.clear()
                field.focus()
            held.append(1)
            return len(held) > 5

        await wait_for(pilot, focused, what="the field focused, and keeping focus")
        holder.scroll_end(animate=False)  # the wheel, while the field keeps focus
        await wait_for(pilot, lambda: not holder.region.contains_region(field.region), what="the field off screen")
        await pilot.press("end", "backspace")
        await wait_for(pilot, lambda: holder.region.contains_region(field.region), what="the field back in view")
