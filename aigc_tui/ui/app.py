"""The workbench app. Imports no torch: training and generation run in other processes."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events
from textual.actions import SkipAction
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.driver import Driver
from textual.widgets import Footer, Header, Input, TabbedContent, TextArea

from aigc_tui.generate.client import GenerationClient
from aigc_tui.paths import runs_root
from aigc_tui.ui import paste_guard
from aigc_tui.ui.commands import AigcCommands
from aigc_tui.ui.focus_now import focus_now
from aigc_tui.ui.leak_guard import LeakGuard
from aigc_tui.ui.messages import (
    MetricsAppended,
    OpenCheckpoints,
    OpenGenerate,
    OpenRecipe,
    RunStarted,
)
from aigc_tui.ui.pane_holder import PaneApp, StayPane, build_pane
from aigc_tui.ui.panes.runs import RunsPane
from aigc_tui.ui.settings import Settings, load_themes
from aigc_tui.ui.tail import MetricsTail

TABS = ("launch", "runs", "checkpoints", "generate")
TITLES = {"launch": "1 Launch", "runs": "2 Runs", "checkpoints": "3 Checkpoints", "generate": "4 Generate"}


INFO_TOAST_S = 3.0  # seconds an information toast stays (a click dismisses any toast at once)


class AigcApp(PaneApp):
    TITLE = "aigc-tui"
    SUB_TITLE = "train and try generative models"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {AigcCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("escape", "leave_field", "Leave field", id="app.leave_field", show=False, priority=True),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("1", "show_tab('launch')", "Launch", id="app.launch", show=False),
        Binding("2", "show_tab('runs')", "Runs", id="app.runs", show=False),
        Binding("3", "show_tab('checkpoints')", "Checkpoints", id="app.checkpoints", show=False),
        Binding("4", "show_tab('generate')", "Generate", id="app.generate", show=False),
        # the same while a text field has focus (there 1-4 type): a terminal sends alt+N as ESC N,
        # which paste_guard's parser reads as alt+N (Textual's own reads ¡ ™ £ ¢), over SSH too
        # (macOS Terminal: "Use Option as Meta key")
        *(Binding(f"alt+{n}", f"show_tab('{tab}')", tab.title(), id=f"app.{tab}_alt", show=False, priority=True)
          for n, tab in enumerate(("launch", "runs", "checkpoints", "generate"), 1)),
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
        self.leak_guard = LeakGuard(self)
        self.generation = GenerationClient(runs_dir=self.runs_dir, on_event=self._on_generation_event)

    def notify(self, message: str, *, severity: Any = "information", timeout: float | None = None,
               markup: bool = False, **kw: Any) -> None:
        """An information toast goes after INFO_TOAST_S: at 80x24 toasts covered the newest log lines for 5 s
        after every action (tester6 G30). Warnings and errors keep Textual's 5 s (or their own timeout).
        Toasts are plain text, whatever `markup` says (Widget.notify always passes True): they carry run
        names, paths and error lines, and a run named `a[/]b` raised, `x[bold]y` lost its brackets."""
        short = timeout is None and severity == "information"
        super().notify(message, severity=severity, timeout=INFO_TOAST_S if short else timeout, markup=False, **kw)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.InputEvent, events.Paste)):
            self.leak_guard.note_input()
        await super().on_event(event)

    def get_driver_class(self) -> type[Driver]:
        return terminal_driver(super().get_driver_class())

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with TabbedContent(initial=self.initial_tab):
            for tab in TABS:
                with StayPane(TITLES[tab], id=tab):
                    if tab == self.initial_tab:
                        yield build_pane(tab, self.runs_dir)
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
        self.leak_guard.start()  # Textual leaks, see leak_guard
        try:
            if self.initial_tab == "generate":
                self.query_one("GeneratePane").focus_main()
            elif self.initial_tab in self.FOCUS:
                focus_now(self.query_one(self.FOCUS[self.initial_tab]))  # a key typed at once finds it
        except NoMatches:  # its pane could not be built (the restart line): nothing to focus
            pass

    def watch_theme(self, theme: str) -> None:
        if getattr(self, "settings", None) and theme != self.settings.theme:
            self.settings.theme = theme
            self.settings.save()

    def on_unmount(self) -> None:
        self.tail.stop()
        self.generation.close()

    # --- routing between panes ----------------------------------------------------------
    # a pane's own widget, never a text field, so 1-4 keep working (Generate's: its first button, gen_focus);
    # Esc takes focus out of a text field to the same place
    FOCUS = HOME = {"launch": "#recipes", "runs": "#runs-table", "checkpoints": "#ckpt-tree", "generate": "#gen-go"}

    def action_leave_field(self) -> None:
        """Esc leaves a text field (so 1-4 and pane keys work again); elsewhere Esc does its usual job."""
        focused = self.focused
        if self.screen is not self.screen_stack[0] or not isinstance(focused, Input | TextArea):
            raise SkipAction()
        tab = self.query_one(TabbedContent).active
        home = self.query_one(self.HOME[tab]) if tab in self.HOME else None
        chain = self.screen.focus_chain  # what can take focus now (hidden widgets are not in it)
        if home is None or home is focused or home not in chain:
            home = next((w for w in focused.ancestors_with_self if getattr(w, "can_focus", False) and w is not focused
                         and not isinstance(w, Input | TextArea)), None)
        if home is None:  # the nearest control around the field (a GAN's seed -> its Grid button)
            home = next((w for a in focused.ancestors for w in chain if a in w.ancestors
                         and not isinstance(w, Input | TextArea)), None)
        if home is not None and home is not focused:
            focus_now(home)
        else:
            self.set_focus(None)

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if not self.screen_stack or not event.pane.is_attached:
            return  # the initial tab, announced while composing: its pane is already there
        await self._show_pane(event.pane.id or "")

    async def _show_pane(self, tab: str) -> None:
        """The tab's pane, built when shown for the first time (or again after it could not be built)."""
        fresh = not self.query_one(TabbedContent).get_pane(tab).children
        if fresh:
            self.set_focus(None)  # else mounting re-announces the old focus, and its tab takes over again
        pane: Any = await self.pane(tab)
        if tab == "checkpoints" and not fresh:
            pane.load_tree()  # checkpoints appear while runs train
        elif tab == "generate" and not fresh:
            pane.action_reload_models()
        self.focus_pane(tab)

    def focus_pane(self, tab: str) -> None:
        """Focus the pane's main widget (never a text field), unless another tab became active meanwhile.

        Focusing a widget in a hidden pane makes TabbedContent switch to it, so a late
        focus for a tab the user already left would drag them back. Nor does it undo a focus the user
        gave a widget of that pane meanwhile (a click, Generate's `p`); a field left focused before
        (in the pane while it was hidden, tester8 I12) does give way, so the pane keys work.
        """
        selector = self.FOCUS.get(tab)
        before = self.focused

        def focus() -> None:
            tabs = self.query_one(TabbedContent)
            now = self.focused
            if tabs.active != tab or (now is not before and now is not None and tabs.get_pane(tab) in now.ancestors):
                return
            try:
                if tab == "generate":
                    self.query_one("GeneratePane").focus_main()  # type: ignore[attr-defined]
                elif selector:
                    focus_now(self.query_one(selector))
            except NoMatches:  # the pane is still being built; its activation focuses it
                pass

        self.call_after_refresh(focus)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """alt+1..4 are priority keys (they work from a text field): not while a dialog is open, whose
        panes behind it they would switch. A screen of its own may bind them (the full-screen grid)."""
        if action == "show_tab" and self.screen is not self.screen_stack[0]:
            return False
        return True

    def action_show_tab(self, tab: str) -> None:
        """1-4: a tab; its own key again tries once more to build a pane that could not be built."""
        tabs = self.query_one(TabbedContent)
        if tabs.active == tab and not tabs.get_pane(tab).children:
            self.run_worker(self._show_pane(tab), group="show-pane")  # its ImportError: the restart line
        self._select(tab)

    def _select(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_help(self) -> None:
        from aigc_tui.ui.help import HelpScreen  # Markdown is a heavy import: not at start-up

        self.push_screen(HelpScreen())

    async def action_runs_action(self, action: str) -> None:
        self._select("runs")
        pane: Any = await self.pane("runs")
        pane.catch_up()
        getattr(pane, f"action_{action}")()

    def on_metrics_appended(self, message: MetricsAppended) -> None:
        if isinstance(pane := self.built_pane("runs"), RunsPane):
            pane.on_metrics_appended(message)

    async def on_run_started(self, message: RunStarted) -> None:
        self._select("runs")
        runs: Any = await self.pane("runs")
        if self.is_running:  # not when the app is quitting meanwhile (its panes are being torn down)
            runs.show_run(message.run_id)

    async def on_open_checkpoints(self, message: OpenCheckpoints) -> None:
        self._select("checkpoints")
        pane: Any = await self.pane("checkpoints")
        pane.focus_run(message.run_id)

    async def on_open_generate(self, message: OpenGenerate) -> None:
        self._select("generate")
        pane: Any = await self.pane("generate")
        pane.open_checkpoint(message.checkpoint)

    async def on_open_recipe(self, message: OpenRecipe) -> None:
        self._select("launch")
        pane: Any = await self.pane("launch")  # mounted with its default recipe loaded: this one replaces it
        await pane.load_recipe(Path(f"{message.label}.toml"), message.recipe)

    def _on_generation_event(self, event: dict[str, Any]) -> None:
        """Called on the client's reader thread; hop to the UI thread."""
        try:
            self.call_from_thread(self._generation_event, event)
        except RuntimeError:  # the app is closing
            pass

    def _generation_event(self, event: dict[str, Any]) -> None:
        if (pane := self.built_pane("generate")) is not None:
            pane.handle_event(event)  # type: ignore[attr-defined]


def terminal_driver(driver: type[Driver]) -> type[Driver]:
    """Textual's driver for this terminal, made safe to paste into and quiet while idle.

    Pasted text containing an ESC must not become key presses (ctrl+s in it started a run): paste_guard.
    No wake-ups ten times a second while no key comes (issue 9's idle budget): quiet_driver.
    """
    driver = paste_guard.install(driver)
    if driver.__module__ == "textual.drivers.linux_driver" and driver.__name__ == "LinuxDriver":
        from aigc_tui.ui.quiet_driver import QuietLinuxDriver  # imports termios: not on Windows

        driver = QuietLinuxDriver
    return driver


def make_app(runs_dir: str | Path | None = None, **kwargs: Any) -> AigcApp:
    """The one factory the CLI and the tests share."""
    return AigcApp(runs_dir=runs_dir, **kwargs)


def run_app(runs_dir: str | Path | None = None) -> int:
    """Run the app; its exit status is non-zero when it ended on an unhandled error."""
    app = make_app(runs_dir)
    app.run()
    return app.return_code or 0
