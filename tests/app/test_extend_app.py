"""Runs `r` on a run that trained all its steps asks for a new total and resumes it from its
newest checkpoint, as `aigc-tui resume RUN --set run.steps=N` does; a total not above the
steps it trained is one line in the dialog, and nothing is written."""

from __future__ import annotations

import json

from helpers import TINY_GAN, merge
from pilot_wait import wait_for
from textual.widgets import DataTable, Input, Label

from aigc_tui.config import dump_toml, validate
from aigc_tui.launch import start
from aigc_tui.runs import RunState, RunStatus, create_run
from aigc_tui.ui.app import make_app
from aigc_tui.ui.extend_screen import ExtendScreen
from aigc_tui.ui.panes.runs import RunsPane


def _finished_run(runs_dir):
    config = validate(merge(TINY_GAN, name="done", run={"steps": 20, "checkpoint_every": 10}))
    run = create_run(runs_dir, dump_toml(config), config.name)
    for step in (10, 20):
        folder = run.path / "checkpoints" / f"step-{step:08d}"
        folder.mkdir(parents=True)
        (folder / "meta.json").write_text(json.dumps({"step": step, "time": 1.0 + step, "kind": "gan"}))
        (folder / "trainer_state.pt").write_bytes(b"x")
    RunStatus(state=RunState.FINISHED, step=20, total_steps=20).write(run.path)
    return run


async def test_r_on_a_finished_run_asks_for_a_new_total_and_resumes_it(runs_dir, monkeypatch):
    run = _finished_run(runs_dir)
    started = []
    monkeypatch.setattr(start, "spawn_worker", lambda r, resume=None, **kw: started.append((r.path, resume)) or 4242)
    app = make_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.query_one(RunsPane).selected == run.id, what="the run selected")
        app.query_one(DataTable).focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ExtendScreen), what="the extend dialog")
        field = app.screen.query_one("#extend-steps", Input)
        await wait_for(pilot, lambda: field.has_focus, what="the steps field focused")
        field.value = ""
        await pilot.press("1", "5", "enter")  # not above the 20 it trained: refused in the dialog
        error = app.screen.query_one("#extend-error", Label)
        await wait_for(pilot, lambda: "above 20" in str(error.render()), what="the refusal")
        assert isinstance(app.screen, ExtendScreen) and not started
        assert run.config()["run"]["steps"] == 20
        field.value = ""
        await pilot.press("4", "0", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExtendScreen), what="the dialog closed")
        assert started == [(run.path, None)]  # the worker resumes from its newest checkpoint
        assert run.config()["run"]["steps"] == 40 and run.status().total_steps == 40
        assert any("extending done to 40 steps" in str(n.message) for n in app._notifications)
