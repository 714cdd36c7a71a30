"""Runs `r` on a run that ended before its first checkpoint starts it over (tester4 E15), as
`aigc-tui resume` does; the user is told it starts over, and the table shows it train."""

from __future__ import annotations

from helpers import TINY_GAN, merge
from pilot_wait import wait_for
from textual.widgets import DataTable

from aigc_tui.config import dump_toml, validate
from aigc_tui.runs import RunState, RunStatus, create_run
from aigc_tui.ui.app import make_app
from aigc_tui.ui.panes.runs import RunsPane


def _told(app, text: str) -> bool:
    return any(text in str(n.message) for n in app._notifications)


async def test_r_starts_over_a_run_taken_out_of_the_queue(runs_dir):
    config = validate(merge(TINY_GAN, name="dequeued", run={"steps": 20, "checkpoint_every": 10}))
    run = create_run(runs_dir, dump_toml(config), config.name)
    RunStatus(state=RunState.STOPPED, step=0, total_steps=20).write(run.path)  # `x` while it was queued
    app = make_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.query_one(DataTable).row_count == 1, what="the runs table")
        await wait_for(pilot, lambda: app.query_one(RunsPane).selected == run.id, what="the run selected")
        app.query_one(DataTable).focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: _told(app, "restarting dequeued: it ended before its first checkpoint, "
                                                 "so it starts over from step 0"), what="the restart notice")
        await wait_for(pilot, lambda: run.status().state is RunState.FINISHED, what="the restarted run to finish")
        assert run.status().step == 20 and [c.step for c in run.checkpoints()][-1] == 20
