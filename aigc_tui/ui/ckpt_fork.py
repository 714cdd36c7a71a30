"""The Checkpoints pane's fork flow: the dialog, the check and start off the UI thread, the outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import work

from aigc_tui.errors import AigcError
from aigc_tui.launch import spawn_worker
from aigc_tui.launch.fork import ForkPlan, checkpoint_config, describe, fork_run
from aigc_tui.runs import CheckpointInfo
from aigc_tui.runs.store import Run
from aigc_tui.ui.fork_screen import CONFIG_ONLY, ForkScreen
from aigc_tui.ui.messages import OpenRecipe, RunStarted


class ForkActions:
    """Mixed into CheckpointsPane (a widget with `runs_dir` and `_need`): `f` forks the checkpoint."""

    runs_dir: Path  # the pane's, as are app, notify, post_message and _need (the checkpoint under the cursor)
    app: Any
    notify: Any
    post_message: Any
    _need: Any

    def action_fork(self) -> None:
        """Config only goes to Launch; with weights starts the new run at once (checked off the UI thread)."""
        if (ckpt := self._need()) is None:
            return
        steps = int(Run(ckpt.run_dir).config().get("run", {}).get("steps", ckpt.step) or ckpt.step)

        def done(choice: str | None) -> None:
            if choice != CONFIG_ONLY:
                return
            try:
                config = checkpoint_config(ckpt)
            except AigcError as exc:
                self.notify(exc.one_line(), title="Cannot fork", severity="error")
                return
            config["name"] = f"{config.get('name', 'run')}-fork"
            self.post_message(OpenRecipe(f"{ckpt.run_dir.name}@{ckpt.name}", config))

        screen = ForkScreen(ckpt, max(steps, ckpt.step * 2) if ckpt.step else steps,
                            fork=lambda plan: self._fork(ckpt, plan, screen))
        self.app.push_screen(screen, done)

    @work(thread=True, group="ckpt-fork", exit_on_error=False)
    def _fork(self, ckpt: CheckpointInfo, plan: ForkPlan, screen: ForkScreen) -> None:
        """Check (data, model, shapes: seconds for a classifier's labelled data), create and start the fork."""
        plan.name = plan.name or f"{Run(ckpt.run_dir).name}-fork"  # told apart in the runs table
        try:
            run, _ = fork_run(self.runs_dir, ckpt, plan)
            spawn_worker(run, new=True)
        except AigcError as exc:
            self.app.call_from_thread(self._fork_failed, screen, exc.one_line())
        except Exception as exc:  # noqa: BLE001 - never leave the dialog saying "checking" forever
            self.app.call_from_thread(self._fork_failed, screen, f"{type(exc).__name__}: {exc}")
        else:
            self.app.call_from_thread(self._forked, screen, f"forked {ckpt.name} into {run.id}: {describe(plan)}", run.id)

    def _fork_failed(self, screen: ForkScreen, message: str) -> None:
        if screen in self.app.screen_stack:
            screen.failed(message)
        self.notify(message, title="Cannot fork", severity="error")

    def _forked(self, screen: ForkScreen, line: str, run_id: str) -> None:
        waiting = screen in self.app.screen_stack  # the dialog still open: the user waits for the run
        if waiting:
            screen.forked(line)
        self.notify(line, title="Fork")
        if waiting or self.app.query_one("TabbedContent").active == "checkpoints":
            self.post_message(RunStarted(run_id))  # else the user went elsewhere meanwhile: don't pull them back
