"""What Generate says about the model: a refusal for want of one goes once one is picked (accept8);
the two sides of *vs* are headed by their picker labels, step included (accept8 J5)."""

from __future__ import annotations

from fixture_runs import FIXED_NOW, _checkpoint, make_fixture_runs
from pilot_wait import text_of, wait_for
from textual.widgets import Input, Select, TextArea

from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.generate import GeneratePane


async def test_the_pick_a_model_line_goes_when_a_model_is_picked(runs_dir):
    app = make_app(runs_dir, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        refused = "pick a model first"
        await pilot.press("ctrl+g")  # no run yet, nothing typed
        await wait_for(pilot, lambda: refused in text_of(app, "#gen-stats"), what="the refusal")
        typed = app.query_one("#gen-model-path", Input)
        typed.value = "gpt2"  # an HF id typed
        await wait_for(pilot, lambda: refused not in text_of(app, "#gen-stats"), what="the refusal gone (typed)")
        typed.value = ""
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: refused in text_of(app, "#gen-stats"), what="the refusal again")
        make_fixture_runs(runs_dir)  # a run finished meanwhile; ctrl+r lists it and picks its LM
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not app.query_one("#gen-model", Select).is_blank(), what="the LM picked")
        await wait_for(pilot, lambda: refused not in text_of(app, "#gen-stats"), what="the refusal gone (picked)")


async def test_vs_on_two_checkpoints_of_one_run_heads_each_side_with_its_step(fixture_runs, monkeypatch, tmp_path):
    lm_run = next(fixture_runs.glob("*-fixture-lm-bbbb"))
    _checkpoint(lm_run, 100, "lm", {"loss": 6.0})  # an early checkpoint next to the final @300
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW, initial_tab="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        sent: list[str] = []
        monkeypatch.setattr(app.generation, "generate", lambda model, *a, **kw: sent.append(model) or f"r{len(sent)}")
        main, vs = app.query_one("#gen-model", Select), app.query_one("#gen-model-b", Select)
        await wait_for(pilot, lambda: not main.is_blank(), what="the newest LM chosen")
        vs.value = next(path for label, path in vs._options if label.startswith("fixture-lm@100"))
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(sent) == 2, what="both sides sent")
        heads = [app.query_one(side, TextArea).text.splitlines()[0] for side in ("#gen-output", "#gen-output-b")]
        assert heads == ["[fixture-lm@300]", "[fixture-lm@100]"]

        app.query_one(GeneratePane).requests.clear()  # (nothing streams here) a model dir typed, then an HF id
        model_dir = tmp_path / "my-tiny-lm"
        model_dir.mkdir()
        for typed, head in ((str(model_dir), "[my-tiny-lm]"), ("someone/tiny-gpt", "[someone/tiny-gpt]")):
            app.query_one("#gen-model-path", Input).value = typed
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda head=head: app.query_one("#gen-output", TextArea).text.startswith(head),
                           what=f"the typed model's side headed {head}")
            assert app.query_one("#gen-output-b", TextArea).text.startswith("[fixture-lm@100]")
            app.query_one(GeneratePane).requests.clear()
