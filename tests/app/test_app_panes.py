"""The app driven by Pilot: every pane, with real workers and a real generation helper."""

from __future__ import annotations

import json

import tomli_w
from fixture_runs import FIXED_NOW
from pilot_wait import text_of, wait_for
from textual import events
from textual.widgets import Button, DataTable, Input, OptionList, TextArea, Tree

from aigc_tui.generate.history import history_path
from aigc_tui.paths import config_dir
from aigc_tui.runs import RunState, list_runs
from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane
from aigc_tui.ui.widgets.loss_plot import LossPlot


async def test_runs_pane_shows_every_run_and_monitors_the_selected_one(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 3, what="the runs table")
        assert app.focused is table
        pane = app.query_one(RunsPane)
        assert pane.selected.endswith("fixture-failed-cccc")  # newest first
        assert "error: DataError" in text_of(app, "#run-header")
        await wait_for(pilot, lambda: "holds no images" in text_of(app, "#sample-text"), what="why it ended")

        await pilot.press("down", "down")  # to the GAN run
        await wait_for(pilot, lambda: pane.selected.endswith("fixture-gan-aaaa"), what="GAN selected")
        await wait_for(pilot, lambda: app.query_one("#loss-plot", LossPlot).series, what="the loss plot")
        assert [s.label for s in app.query_one("#loss-plot", LossPlot).series] == ["loss_d", "loss_g"]
        assert "step 400  2/2" in text_of(app, "#sample-label")
        await pilot.press("left_square_bracket")
        assert "step 200  1/2" in text_of(app, "#sample-label")
        await pilot.press("l", "w")
        assert pane.options.log_y and pane.options.last_n_steps == 100
        await pilot.press("x")  # stopping a finished run explains itself
        await pilot.pause()
        assert any("is not running (finished)" in str(n.message) for n in app._notifications)

        await pilot.press("slash")
        await pilot.press(*"lm")
        await wait_for(pilot, lambda: table.row_count == 1, what="the filter")


async def test_launch_form_validates_inline(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.query("#f-train-lr_g"), what="the form")
        field = app.query_one("#f-train-lr_g", Input)
        field.value = "-1"
        await wait_for(pilot, lambda: "train.lr_g" in text_of(app, "#launch-errors"), what="an inline error")
        assert field.has_class("-invalid")
        assert app.query_one("#start", Button).disabled
        field.value = "0.0003"
        await wait_for(pilot, lambda: not app.query_one("#start", Button).disabled, what="the error to clear")
        assert text_of(app, "#launch-errors") == ""


async def test_an_empty_default_number_field_is_not_marked_invalid_when_left(runs_dir):
    """Empty means "the default": leaving the field must not paint it as an error (Input's own
    validation did, on blur, while Start stayed enabled); a bad value stays marked when left."""
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.query("#f-data-channels"), what="the form")
        field = app.query_one("#f-data-channels", Input)
        assert field.value == ""
        field.focus()
        await pilot.pause()
        await pilot.press("tab")
        await wait_for(pilot, lambda: not field.has_focus, what="focus to leave the field")
        await pilot.pause(0.2)
        assert not field.has_class("-invalid")
        assert not app.query_one("#start", Button).disabled
        lr = app.query_one("#f-train-lr_g", Input)
        lr.value = "-1"
        await wait_for(pilot, lambda: lr.has_class("-invalid"), what="the bad value marked")
        lr.focus()
        await pilot.pause()
        await pilot.press("tab")
        await wait_for(pilot, lambda: not lr.has_focus, what="focus to leave the field")
        assert lr.has_class("-invalid") and app.query_one("#start", Button).disabled


async def test_start_names_missing_data_and_creates_no_run(runs_dir, tmp_path):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.query("#f-data-source"), what="the form")
        app.query_one("#f-data-source", Input).value = f"imagefolder:{tmp_path}/gone"
        pane = app.query_one("LaunchPane")
        await wait_for(pilot, lambda: pane.config is not None and "gone" in pane.config.data.source,
                       what="the schema to accept the path")
        assert not app.query_one("#start", Button).disabled
        await pilot.click("#start")
        await wait_for(pilot, lambda: "does not exist" in text_of(app, "#launch-errors"), what="the launch check")
        assert f"image folder {tmp_path}/gone does not exist" in text_of(app, "#launch-errors")
        assert list_runs(runs_dir) == []


async def test_delete_asks_first(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="checkpoints")
    target = next(fixture_runs.glob("*fixture-gan*/checkpoints/step-00000200"))
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(Tree)
        await wait_for(pilot, lambda: len(tree.root.children) == 2, what="the tree")  # not the failed run (none)
        gan_node = next(n for n in tree.root.children if "fixture-gan" in str(n.label))
        gan_node.expand()
        await pilot.pause()
        leaf = next(n for n in gan_node.children if "step-00000200" in str(n.label))
        tree.move_cursor(leaf)
        await pilot.pause()
        await pilot.press("d")
        await pilot.press("n")
        assert target.is_dir()
        await pilot.press("d")
        await pilot.press("y")
        await wait_for(pilot, lambda: not target.exists(), what="the delete")


async def test_a_user_theme_with_a_bad_colour_or_a_shipped_name_is_skipped_in_one_line(runs_dir):
    """Tester6 G21: a theme with `primary = "notacolor"` was listed, and choosing it did nothing, silently."""
    themes = config_dir() / "themes"
    themes.mkdir(parents=True)
    (themes / "badcolor.toml").write_text('name = "badcolor"\nprimary = "notacolor"\n')
    (themes / "mine.toml").write_text('name = "aigc-dark"\nprimary = "#FF0000"\n')
    app = make_app(runs_dir)
    async with app.run_test() as pilot:
        await pilot.pause()
        shown = [str(n.message) for n in app._notifications]
        assert "theme badcolor.toml: primary = 'notacolor' is not a colour" in " ".join(shown), shown
        assert any("mine.toml: name 'aigc-dark' is a shipped theme's" in line for line in shown), shown
        assert "badcolor" not in app.available_themes
        assert str(app.available_themes["aigc-dark"].primary).upper() == "#4FB3FF"  # the shipped one kept


async def test_theme_choice_persists(runs_dir):
    app = make_app(runs_dir)
    async with app.run_test() as pilot:
        assert "phosphor" in app.available_themes  # loaded from themes/
        app.theme = "phosphor"
        await pilot.pause()
    assert json.loads((config_dir() / "settings.json").read_text())["theme"] == "phosphor"
    again = make_app(runs_dir)
    async with again.run_test() as pilot:
        await pilot.pause()
        assert again.theme == "phosphor"


async def test_launch_a_gan_watch_it_stop_it_find_its_checkpoint(runs_dir):
    recipes = config_dir() / "recipes"
    recipes.mkdir(parents=True)
    tiny = {"kind": "gan", "name": "pilot-gan", "description": "tiny",
            "run": {"steps": 1_000_000, "log_every": 5, "sample_every": 20, "checkpoint_every": 0},
            "data": {"image_size": 8, "limit": 128},
            "model": {"latent_dim": 8, "g_hidden": [16], "d_hidden": [16]}, "train": {"batch_size": 8}}
    (recipes / "pilot-gan.toml").write_text(tomli_w.dumps(tiny))
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        options = app.query_one("#recipes", OptionList)
        index = next(i for i in range(options.option_count) if "pilot-gan" in str(options.get_option_at_index(i).prompt))
        options.highlighted = index
        await wait_for(pilot, lambda: app.query_one("#run-name", Input).value == "pilot-gan", what="the recipe")
        app.query_one("#device").value = "cpu"
        await wait_for(pilot, lambda: not app.query_one("#start", Button).disabled, what="a valid form")
        await pilot.click("#start")
        (run,) = await wait_for(pilot, lambda: list_runs(runs_dir), what="the run directory")
        try:
            pane = app.query_one(RunsPane)
            await wait_for(pilot, lambda: pane.selected == run.id, what="the monitor to open the run")
            await wait_for(pilot, lambda: run.status().state is RunState.RUNNING, what="the worker to start")
            reader = app.tail.reader(run.id)
            first = await wait_for(pilot, lambda: len(reader.series.get("loss_d", ()).values if reader.series.get("loss_d") else []),
                                   what="metrics")
            await wait_for(pilot, lambda: len(reader.series["loss_d"].values) > first + 2, what="the series to grow")
            await wait_for(pilot, lambda: [s.label for s in app.query_one("#loss-plot", LossPlot).series] == ["loss_d", "loss_g"],
                           what="the plot")
            app.query_one(DataTable).focus()
            await pilot.press("x")
            await wait_for(pilot, lambda: run.status().state is RunState.STOPPED, what="the stop")
            await pilot.press("k")
            tree = app.query_one(Tree)
            await wait_for(pilot, lambda: any("pilot-gan" in str(n.label) and n.children for n in tree.root.children),
                           what="the checkpoint in the tree")
            node = next(n for n in tree.root.children if "pilot-gan" in str(n.label))
            assert "resumable" in str(node.children[0].label)
        finally:
            status = run.status()
            if status.state.is_live and status.pid:
                import os

                os.kill(status.pid, 9)


async def test_generate_streams_text_from_a_tiny_lm(runs_dir, tmp_path):
    from lm_fixtures import make_tiny_model

    model = make_tiny_model(tmp_path / "tiny-lm", "gpt2")
    app = make_app(runs_dir, initial_tab="generate")
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one("#gen-model-path", Input).value = str(model)
        app.query_one("#p-max_new_tokens", Input).value = "40"
        app.query_one("#p-seed", Input).value = "3"
        app.query_one("#gen-prompt", TextArea).text = "The "
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: "tokens/s" in text_of(app, "#gen-stats"), what="generation to end")
        output = app.query_one("#gen-output", TextArea).text
        assert output.startswith("The ") and len(output) > len("The ")
        assert text_of(app, "#gen-stats").startswith("40 tokens")
        history = app.query_one("#gen-history", OptionList)
        assert history.option_count == 1  # the prompt was kept
        await pilot.press("ctrl+y")
        assert app.clipboard == output  # OSC 52 copy

        app.query_one("#gen-stops", Input).value = "e"  # a stop string cuts the text there
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: "tokens" in text_of(app, "#gen-stats") and not app.query_one("GeneratePane").requests,
                       what="the stopped generation")
        stopped = app.query_one("#gen-output", TextArea).text
        assert "e" not in stopped[len("The "):]
        assert history.option_count == 1  # the same prompt again: no duplicate
        app.query_one("#gen-stops", Input).value = ""

        app.query_one("#gen-prompt", TextArea).text = "refused "
        app.query_one("#p-temperature", Input).value = "1e999"
        await pilot.press("ctrl+g")  # the helper refuses it: not kept in the history, no Infinity in the file
        await wait_for(pilot, lambda: "error:" in text_of(app, "#gen-stats"), what="the refusal")
        assert "temperature = inf" in text_of(app, "#gen-stats")
        assert history.option_count == 1 and "Infinity" not in history_path().read_text()
        app.query_one("#p-temperature", Input).value = "0.8"
        app.query_one("#gen-prompt", TextArea).text = "word " * 2100  # longer than the context: refused, so not kept
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: "2048 tokens" in text_of(app, "#gen-stats"), what="the too-long refusal")
        assert history.option_count == 1 and "word word" not in history_path().read_text()  # tester6 G20
        app.query_one("#gen-model-path", Input).value = ""
        history.focus()
        history.highlighted = 0
        await pilot.press("enter")  # recall: the prompt with its settings, stop strings and model
        await wait_for(pilot, lambda: app.query_one("#gen-prompt", TextArea).text == "The ", what="the recall")
        assert app.query_one("#p-temperature", Input).value == "0.8" and app.query_one("#gen-stops", Input).value == "e"
        assert app.query_one("#gen-model-path", Input).value == str(model)
        app.query_one("#gen-stops", Input).value = ""

        app.query_one("#gen-model-path", Input).value = str(tmp_path / "no-such-model")
        await pilot.press("ctrl+g")  # a clear error, and the pane stays usable
        await wait_for(pilot, lambda: "error:" in text_of(app, "#gen-stats"), what="the error")
        assert "no-such-model does not exist" in text_of(app, "#gen-stats")
        assert not app.query_one("#gen-go", Button).disabled


async def test_number_keys_switch_panes_and_focus_follows(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        tabs = app.query_one("TabbedContent")
        # as a person would: keys after the first screen is up (start-up tab messages settled)
        await wait_for(pilot, lambda: app.query_one(DataTable).row_count == 3, what="the runs table")
        await wait_for(pilot, lambda: tabs.active == "runs" and app.focused is not None
                       and app.focused.id == "runs-table", what="the first screen to settle")
        await pilot.pause()  # and every start-up message handled (waits for idle, not a time)
        for key, tab, focused in [("1", "launch", "recipes"), ("3", "checkpoints", "ckpt-tree"),
                                  ("2", "runs", "runs-table"), ("4", "generate", "gen-go")]:
            await pilot.press(key)
            await wait_for(pilot, lambda tab=tab, focused=focused: tabs.active == tab and app.focused is not None
                           and app.focused.id == focused, timeout=20,
                           what=f"{tab} with {focused} focused (now {tabs.active}, {app.focused})")
        await pilot.press("p", "1")  # p: into the prompt, where 1 types: at its end, continuing it
        assert tabs.active == "generate" and app.query_one("#gen-prompt", TextArea).text == "def 1"
        await pilot.press("escape", "1")  # Esc leaves the field; then 1 is Launch
        await wait_for(pilot, lambda: tabs.active == "launch" and app.focused.id == "recipes", what="launch")
        for key in ("3", "4", "escape", "2"):  # no pane takes focus back after the user left it
            await pilot.press(key)
            await pilot.pause(0.2)
        await pilot.pause(0.5)
        assert tabs.active == "runs" and app.focused.id == "runs-table"


async def test_a_pane_key_right_behind_a_focus_in_the_pane_shown_is_not_undone(fixture_runs):
    """The focus moving inside the pane shown and a pane key in the same breath (a key held for a
    pane being built goes on as soon as that pane takes the focus): Textual's TabPane announced the
    focus in a message that switched back to its own tab after the key had switched away."""
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        tabs = app.query_one("TabbedContent")
        table = await wait_for(pilot, lambda: app.query("#runs-table") and app.query_one("#runs-table"),
                               what="the runs table")
        await pilot.press("3")
        tree = await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "ckpt-tree"
                              and app.focused, what="the Checkpoints tree focused")
        await pilot.pause()
        app.screen.set_focus(table)  # in a pane not shown: undone, the tab the user is on keeps its focus
        await pilot.pause(0.2)
        assert tabs.active == "checkpoints" and app.focused is tree
        # The pane shown takes the focus (its holder hears of it in a message, as when the pane is built)
        # and the `2` held for it goes on before anything else happens: the order a busy box gave.
        holder = tabs.get_pane("checkpoints")
        holder.post_message(events.DescendantFocus(tree))
        holder.call_later(app.action_show_tab, "runs")
        await pilot.pause(0.2)
        assert tabs.active == "runs"
        await wait_for(pilot, lambda: app.focused is table, what="the runs table focused")


async def test_esc_leaves_every_kind_of_text_field_and_pane_keys_work_again(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="launch")
    async with app.run_test(size=(80, 24)) as pilot:
        tabs = app.query_one("TabbedContent")
        steps = await wait_for(pilot, lambda: app.query("#f-run-steps"), what="the form")
        steps.first().focus()
        await pilot.press("escape", "2")
        await wait_for(pilot, lambda: tabs.active == "runs", what="runs")
        await pilot.press("slash")
        assert app.focused.id == "runs-filter"
        await pilot.press("escape", "4")
        await wait_for(pilot, lambda: tabs.active == "generate" and app.focused.id == "gen-go", what="generate")
        app.query_one("#p-temperature", Input).focus()
        await pilot.press("escape", "3")
        await wait_for(pilot, lambda: tabs.active == "checkpoints", what="checkpoints")


async def test_generate_refuses_without_a_model_and_stop_is_not_esc(runs_dir):
    app = make_app(runs_dir, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+g")
        assert "pick a model first" in text_of(app, "#gen-stats")
        assert app.query_one("#gen-history", OptionList).option_count == 0  # nothing stored
        assert app.generation._proc is None  # no helper started
        assert any(b.key == "ctrl+t" and b.action == "stop" for b in app.query_one("GeneratePane").BINDINGS)


async def test_launch_has_a_start_key(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: not app.query_one("#start", Button).disabled, what="the default recipe")
        app.query_one("#f-run-steps", Input).value = "3"
        await pilot.press("ctrl+s")
        (run,) = await wait_for(pilot, lambda: list_runs(runs_dir), what="the run")
        await wait_for(pilot, lambda: app.query_one("TabbedContent").active == "runs", what="the monitor")
        await wait_for(pilot, lambda: not run.status().state.is_live, what="the 3-step run to end")


async def test_launch_by_keyboard_alone(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: not app.query_one("#start", Button).disabled, what="the default recipe")
        await pilot.press("tab", "tab", "tab")
        assert app.focused.id == "start"
        await pilot.press("enter")
        (run,) = await wait_for(pilot, lambda: list_runs(runs_dir), what="the run")
        assert run.name == "mlp-gan-digits"
        await wait_for(pilot, lambda: app.query_one("TabbedContent").active == "runs", what="the monitor")
        from aigc_tui.runs import ControlAction, request_control

        request_control(run.path, ControlAction.STOP)
        await wait_for(pilot, lambda: not run.status().state.is_live, what="the worker to end")


async def test_save_an_edited_recipe_as_a_new_one(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: not app.query_one("#start", Button).disabled, what="the default recipe")
        app.query_one("#f-run-steps", Input).value = "123"
        app.query_one("#run-name", Input).value = "my-digits"
        await pilot.pause()
        await pilot.click("#save-recipe")
        saved = config_dir() / "recipes" / "my-digits.toml"
        await wait_for(pilot, saved.exists, what="the saved recipe")
        assert "steps = 123" in saved.read_text()
        options = app.query_one("#recipes", OptionList)
        await wait_for(pilot, lambda: any("my-digits  (yours)" in str(options.get_option_at_index(i).prompt)
                                          for i in range(options.option_count)), what="the recipe in the list")


async def test_first_run_of_the_app_says_how_to_start(runs_dir):
    app = make_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "No runs yet" in text_of(app, "#run-header"), timeout=20, what="the empty state")
        assert "Press 1 to launch one" in text_of(app, "#run-header")


async def test_save_recipe_stays_in_the_recipes_folder_and_asks_before_overwriting(runs_dir, tmp_path):
    from aigc_tui.ui.confirm import ConfirmScreen

    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: not app.query_one("#start", Button).disabled, what="the default recipe")

        async def save_as(name: str, steps: int) -> None:
            app.query_one("#run-name", Input).value = name
            app.query_one("#f-run-steps", Input).value = str(steps)
            await pilot.pause()
            app.query_one("#save-recipe", Button).press()  # a click could land on a toast

        await save_as("../../../escape", 123)
        saved = config_dir() / "recipes" / "escape.toml"
        await wait_for(pilot, saved.exists, what="the saved recipe")
        assert list(tmp_path.parent.rglob("escape*.toml")) == [saved]  # nothing written outside
        assert 'name = "../../../escape"' in saved.read_text()  # the typed name is kept for display
        await save_as("../../../escape", 456)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the overwrite question")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="the question to close")
        assert "steps = 123" in saved.read_text()
        await save_as("../../../escape", 456)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the overwrite question")
        await pilot.press("y")
        await wait_for(pilot, lambda: "steps = 456" in saved.read_text(), what="the overwrite")


async def test_the_loss_plot_marks_non_finite_steps(runs_dir):
    from aigc_tui.runs import MetricsWriter, create_run

    run = create_run(runs_dir, 'kind = "gan"\nname = "nan-run"\n[run]\nsteps = 30\n', "nan-run")
    writer = MetricsWriter(run.path)
    for step, loss, bad in ((10, 1.0, 0), (20, float("nan"), 4), (30, 0.9, 0)):
        writer.write(step, {"loss_d": loss, "loss_g": loss, "nonfinite": bad})
    writer.close()
    app = make_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        plot = app.query_one("#loss-plot", LossPlot)
        await wait_for(pilot, lambda: plot.series, what="the loss plot")
        assert list(plot.options.nonfinite) == [20]


async def test_a_pane_not_built_yet_says_loading_not_its_widget_id(fixture_runs):
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.query_one(DataTable).row_count == 3, what="the runs table")
        holder = app.query_one("TabbedContent").get_pane("checkpoints")
        assert not holder.children  # built on first use (`3`)
        shown = str(holder.render())
        assert "StayPane" not in shown and "checkpoints" not in shown and "loading" in shown
        await pilot.press("3")
        await wait_for(pilot, lambda: holder.children and app.focused is not None
                       and app.focused.id == "ckpt-tree", what="the Checkpoints pane")
        assert "loading" not in str(holder.render())


async def test_streamed_text_leaves_no_cursor_blinking_in_an_unfocused_output(runs_dir, monkeypatch):
    """Textual's TextArea restarts its blink timer on every multi-character insert, focused or
    not: after one generation the output box woke the app twice a second for good (E12)."""
    monkeypatch.setattr(TextArea, "cursor_blink", TextArea._reactives["cursor_blink"])  # Textual's own default
    app = make_app(runs_dir, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one("GeneratePane")
        output = app.query_one("#gen-output", TextArea)
        await pilot.press("escape")  # out of the prompt; the output box is never focused
        pane.requests["r1"] = "#gen-output"  # a request in flight, as ctrl+g leaves it
        pane.handle_event({"id": "r1", "event": "text", "text": "def main():\n    pass\n", "sample": 0})
        await wait_for(pilot, lambda: "def main()" in output.text, what="the streamed text")
        assert not output.has_focus
        assert not output.blink_timer._active.is_set()  # paused: no wake-ups while the app sits idle
