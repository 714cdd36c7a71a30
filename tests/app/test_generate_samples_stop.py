"""Generate with n > 1 and stop strings: every sample comes, each cut at its own stop string
(the first sample's stop used to cancel the whole request, so samples 2..n never came)."""

from __future__ import annotations

import re

from pilot_wait import text_of, wait_for
from textual.widgets import Input, TextArea

from aigc_tui.ui.app import make_app


async def test_a_stop_string_ends_one_sample_and_the_next_one_still_comes(runs_dir, tmp_path):
    from lm_fixtures import make_tiny_model

    model = make_tiny_model(tmp_path / "tiny-lm", "gpt2")
    app = make_app(runs_dir, initial_tab="generate")
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one("#gen-model-path", Input).value = str(model)
        for name, value in (("max_new_tokens", "40"), ("seed", "3"), ("num_samples", "4")):
            app.query_one(f"#p-{name}", Input).value = value
        app.query_one("#gen-prompt", TextArea).text = "The "
        app.query_one("#gen-stops", Input).value = r"\x20, \x2c"  # a space, a comma
        await pilot.press("ctrl+g")
        app.query_one("#gen-prompt", TextArea).text = "XYZ "  # edited while it generates (tester9 F3)
        await wait_for(pilot, lambda: "tokens" in text_of(app, "#gen-stats") and not app.query_one("GeneratePane").requests,
                       what="the four samples")
        output = app.query_one("#gen-output", TextArea).text
        samples = re.split(r"\n\n--- sample \d ---\n", output)
        assert len(samples) == 4, output
        for text in samples:
            assert text.startswith("The ") and not {" ", ","} & set(text[len("The "):]), text
        assert "samples cut at a stop string" in text_of(app, "#gen-stats")
