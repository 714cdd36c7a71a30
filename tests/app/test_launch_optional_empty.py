"""A field whose schema default is none (model.pretrained: "") may be emptied in the Launch form:
it means none, and its placeholder says so; a field with a real default keeps G1's error."""

from __future__ import annotations

from pilot_wait import text_of, wait_for
from test_launch_bad_values import highlight
from textual.widgets import Input

from aigc_tui.ui.app import make_app


async def test_emptying_a_fine_tunes_pretrained_means_none(runs_dir):
    app = make_app(runs_dir, initial_tab="launch")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one("LaunchPane")
        await highlight(pilot, app, "lm_finetune_gpt2")
        await wait_for(pilot, lambda: pane.config is not None, what="the recipe validated")
        field = app.query_one("#f-model-pretrained", Input)
        assert field.value == "gpt2" and field.placeholder == "none"
        field.value = ""
        await wait_for(pilot, lambda: pane.config is not None and pane.config.model.pretrained == "",
                       what="the recipe valid with no pretrained model")
        assert "model.pretrained" not in text_of(app, "#launch-errors")
        assert not field.has_class("-invalid")
        steps = app.query_one("#f-run-steps", Input)  # a real default: emptied is still an error (G1)
        steps.value = ""
        await wait_for(pilot, lambda: "run.steps: empty" in text_of(app, "#launch-errors"), what="G1's error")
        assert steps.placeholder == ""
