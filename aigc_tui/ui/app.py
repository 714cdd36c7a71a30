"""The workbench app. Imports no torch: training and generation run in other processes."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, TabbedContent, TabPane

from aigc_tui.generate.client import GenerationClient
from aigc_tui.paths import runs_root
from aigc_tui.runs.layout import CHECKPOINT_CONFIG_FILE
from aigc_tui.ui.commands import AigcCommands
from aigc_tui.ui.help import HelpScreen
from aigc_tui.ui.messages import (
    ForkCheckpoint,
    MetricsAppended,
    OpenCheckpoints,
    OpenGenerate,
    RunStarted,
)
from aigc_tui.ui.panes.checkpoints import CheckpointsPane
from aigc_tui.ui.panes.generate import GeneratePane
from aigc_tui.ui.panes.launch import LaunchPane
from aigc_tui.ui.panes.runs import RunsPane
from aigc_tui.ui.settings import Settings, load_themes
from aigc_tui.ui.tail import MetricsTail

TABS = ("launch", "runs", "checkpoints", "generate")


class AigcApp(App[int]):
    TITLE = "aigc-tui"
    SUB_TITLE = "train and try generative models"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {AigcCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("1", "show_tab('launch')", "Launch", id="app.launch", show=False),
        Binding("2", "show_tab('runs')", "Runs", id="app.runs", show=False),
        Binding("3", "show_tab('checkpoints')", "Checkpoints", id="app.checkpoints", show=False),
        Binding("4", "show_tab('generate')", "Generate", id="app.generate", show=False),
    ]

    def __init__(self, runs_dir: str | Path | None = None, clock: Callable[[], float] = time.time,
                 initial_tab: str = "runs") -> None:
        super().__init__()
        self.runs_dir = runs_root(runs_dir)
        self.clock = clock
        self.initial_tab = initial_tab
        # No auto-focus: it would pick the runs filter box, or land after the user's first key and
        # switch tabs back; on_mount focuses the initial pane's widget before any key is handled.
        self.AUTO_FOCUS = None
        self.settings = Settings.load()
        self.tail = MetricsTail(self.post_message)
        self.generation = GenerationClient(runs_dir=self.runs_dir, on_event=self._on_generation_event)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with TabbedContent(initial=self.initial_tab):
            with TabPane("1 Launch", id="launch"):
                yield LaunchPane(self.runs_dir)
            with TabPane("2 Runs", id="runs"):
                yield RunsPane(self.runs_dir)
            with TabPane("3 Checkpoints", id="checkpoints"):
                yield CheckpointsPane(self.runs_dir)
            with TabPane("4 Generate", id="generate"):
                yield GeneratePane(self.runs_dir)
        yield Footer()

    def on_mount(self) -> None:
        themes, problems = load_themes()
        for theme in themes:
            self.register_theme(theme)
        for problem in problems:
            self.notify(problem, severity="warning", title="Theme skipped")
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.tail.start()
        if self.initial_tab == "generate":
            self.query_one(GeneratePane).focus_main()
        elif self.initial_tab in self.FOCUS:
            self.query_one(self.FOCUS[self.initial_tab]).focus()

    def watch_theme(self, theme: str) -> None:
        if getattr(self, "settings", None) and theme != self.settings.theme:
            self.settings.theme = theme
            self.settings.save()

    def on_unmount(self) -> None:
        self.tail.stop()
        self.generation.close()

    # --- routing between panes ----------------------------------------------------------
    FOCUS = {"launch": "#recipes", "runs": "#runs-table", "checkpoints": "#ckpt-tree", "generate": "#gen-prompt"}

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "checkpoints":
            self.query_one(CheckpointsPane).load_tree()  # checkpoints appear while runs train
        elif event.pane.id == "generate":
            self.query_one(GeneratePane).action_reload_models()
        self.focus_pane(event.pane.id or "")

    def focus_pane(self, tab: str) -> None:
        """Focus the pane's main widget, unless another tab became active meanwhile.

        Focusing a widget in a hidden pane makes TabbedContent switch to it, so a late
        focus for a tab the user already left would drag them back.
        """
        selector = self.FOCUS.get(tab)

        def focus() -> None:
            if self.query_one(TabbedContent).active != tab:
                return
            if tab == "generate":
                self.query_one(GeneratePane).focus_main()
            elif selector:
                self.query_one(selector).focus()

        self.call_after_refresh(focus)

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_runs_action(self, action: str) -> None:
        self.action_show_tab("runs")
        getattr(self.query_one(RunsPane), f"action_{action}")()

    def on_metrics_appended(self, message: MetricsAppended) -> None:
        self.query_one(RunsPane).on_metrics_appended(message)

    def on_run_started(self, message: RunStarted) -> None:
        self.action_show_tab("runs")
        self.query_one(RunsPane).show_run(message.run_id)

    def on_open_checkpoints(self, message: OpenCheckpoints) -> None:
        self.action_show_tab("checkpoints")
        self.query_one(CheckpointsPane).focus_run(message.run_id)

    def on_open_generate(self, message: OpenGenerate) -> None:
        self.action_show_tab("generate")
        self.query_one(GeneratePane).open_checkpoint(message.checkpoint)

    async def on_fork_checkpoint(self, message: ForkCheckpoint) -> None:
        config = (message.checkpoint.path / CHECKPOINT_CONFIG_FILE).read_text()
        self.action_show_tab("launch")
        await self.query_one(LaunchPane).fork(config, f"{message.checkpoint.run_dir.name}@{message.checkpoint.name}")

    def _on_generation_event(self, event: dict[str, Any]) -> None:
        """Called on the client's reader thread; hop to the UI thread."""
        try:
            self.call_from_thread(self.query_one(GeneratePane).handle_event, event)
        except RuntimeError:  # the app is closing
            pass


def make_app(runs_dir: str | Path | None = None, **kwargs: Any) -> AigcApp:
    """The one factory the CLI and the tests share."""
    return AigcApp(runs_dir=runs_dir, **kwargs)


def run_app(runs_dir: str | Path | None = None) -> int:
    make_app(runs_dir).run()
    return 0
