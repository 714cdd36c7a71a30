"""The tab panes' holders and the panes they hold, built when a tab is first shown; and the guard that
keeps the app up when the installed code changed under it (a lazy import failing: tester6 G11)."""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path
from typing import Any

from textual import events
from textual._context import active_message_pump
from textual.app import RenderResult
from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane
from textual.worker import WorkerFailed

from aigc_tui.ui.key_order import InOrderBindingsApp
from aigc_tui.ui.panes.runs import RunsPane

UPDATED = "aigc-tui was updated while this app was open; restart it (q, then aigc-tui)"


class StayPane(TabPane):
    """A tab pane that never pulls the user back to it.

    Textual's TabPane switches the tabs to itself when a widget inside it gets focus; a late
    focus (a reload, a mount) in a pane the user has left then drags them back. Here such a
    focus is undone instead: the tab the user is on gets its focus back.
    """

    failed = False  # its pane could not be built (the restart line); showing the tab again retries

    def render(self) -> RenderResult:
        """'loading…' until the pane is built (an empty widget would show its id: 'StayPane#checkpoints')."""
        if self.children:
            return super().render()
        return f"[dim]{UPDATED}[/]" if self.failed else "[dim]loading…[/]"

    def _on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Never TabPane's switch, not even for the tab already shown: it posts a message that switches
        # later, so a pane key typed right behind the focus (1-4 replayed once the pane took it) was undone.
        event.prevent_default()
        tabs = self.query_ancestor(TabbedContent)
        if tabs.active != self.id:
            self.app.call_later(self.app.focus_pane, tabs.active)  # type: ignore[attr-defined]


def build_pane(tab: str, runs_dir: Path) -> Widget:
    """A pane, built when its tab is first shown (imports included: Launch pulls in pydantic)."""
    if tab == "launch":
        from aigc_tui.ui.panes.launch import LaunchPane

        return LaunchPane(runs_dir)
    if tab == "checkpoints":
        from aigc_tui.ui.panes.checkpoints import CheckpointsPane

        return CheckpointsPane(runs_dir)
    if tab == "generate":
        from aigc_tui.ui.panes.generate import GeneratePane

        return GeneratePane(runs_dir)
    return RunsPane(runs_dir)


def _pane_of(node: object) -> Widget | None:
    """The pane (a tab holder's child, or a removed one) that `node` is in."""
    while isinstance(node, Widget) and node.parent is not None and not isinstance(node.parent, StayPane):
        node = node.parent
    return node if isinstance(node, Widget) else None


def _panes_behind(error: BaseException) -> list[Widget]:
    """The panes whose widget raised `error`: the one composing, mounting or handling a message now,
    then those of the widgets its traceback passes through (a callback the screen ran for a pane)."""
    panes = [_pane_of(active_message_pump.get(None))]
    frame = error.__traceback__
    while frame is not None:
        panes.append(_pane_of(frame.tb_frame.f_locals.get("self")))
        frame = frame.tb_next
    return [pane for pane in panes if pane is not None]


class PaneApp(InOrderBindingsApp):
    """An app of tabs whose panes are built on first use, and that stays up when a lazy import fails
    because the installed code changed under it (git pull, pip upgrade): one line says to restart.

    A pane failing that way (its compose, or any handler inside it) is removed, since Textual goes on
    with it half-built or with its message loop stopped; showing its tab again builds it afresh."""

    runs_dir: Path

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._building: dict[str, asyncio.Future[Widget]] = {}  # panes being mounted (see pane)
        self._mounting: set[Widget] = set()  # panes _mount_pane is mounting now
        self._broken: weakref.WeakKeyDictionary[Widget, str] = weakref.WeakKeyDictionary()  # panes to remove
        self._dropped: weakref.WeakSet[Widget] = weakref.WeakSet()  # their widgets, once removed (see _drop_pane)

    def say_updated(self) -> None:
        self.notify(UPDATED, severity="error", timeout=30)

    async def _dispatch_action(self, namespace: Any, action_name: str, params: Any) -> bool:
        """Every key's, click's and palette command's action: a failing lazy import is one line, not a crash.
        A pane with a `catch_up` first applies what the keys before this one changed (see RunsPane.catch_up)."""
        try:
            if callable(catch_up := getattr(namespace, "catch_up", None)):
                catch_up()
            return await super()._dispatch_action(namespace, action_name, params)
        except ImportError:
            self.say_updated()
            return True

    async def _dispatch_message(self, message: Message) -> None:
        """The same for the app's own handlers: a tab shown for the first time, a run started, a checkpoint
        opened build their pane, importing its module (a failure here stopped the app's message loop)."""
        try:
            await super()._dispatch_message(message)
        except ImportError:
            self.say_updated()

    def _handle_exception(self, error: Exception) -> None:
        """The same for a worker's ImportError (its own task: the app's message loop is unharmed), and for
        one raised inside a pane; any later error of a pane so broken is a consequence, not news."""
        if isinstance(error, WorkerFailed) and isinstance(error.error, ImportError):
            self.say_updated()
            return
        panes = _panes_behind(error)
        if any(pane in self._broken or pane in self._dropped for pane in panes):
            return
        panes = [pane for pane in panes if isinstance(pane.parent, StayPane)]  # not a dialog's widget
        if not panes or not isinstance(error, ImportError):
            super()._handle_exception(error)
            return
        pane = panes[0]
        self._broken[pane] = str(error)  # its compose stopped there (or its message loop did): it goes
        pane.display = False  # laid out no more: no resize reaches what it lacks
        if pane not in self._mounting:  # built already (or the first tab's): removed here; else by _mount_pane
            self.say_updated()
            self.call_later(self._drop_pane, pane)

    def built_pane(self, tab: str) -> Widget | None:
        """The tab's pane if built, found without walking the DOM: the metrics tail and a generation's
        tokens ask several times a second, and a query's walk grows with every pane and dialog built."""
        try:
            children = self._holder(tab).children
        except NoMatches:  # the app is closing
            return None
        return children[0] if children else None

    def _holder(self, tab: str) -> StayPane:
        return self.query_one(TabbedContent).get_pane(tab)  # type: ignore[return-value]

    async def pane(self, tab: str) -> Widget:
        """The pane of a tab, built and mounted on first use (once, however many ask at once).
        ImportError when it cannot be built (the caller's handler shows the restart line)."""
        building = self._building.get(tab)
        if building is None:  # the first to ask builds it; the others wait for that one
            holder = self._holder(tab)
            if holder.children:
                return holder.children[0]
            widget = build_pane(tab, self.runs_dir)
            building = self._building[tab] = asyncio.ensure_future(self._mount_pane(tab, widget))
        return await asyncio.shield(building)

    async def _mount_pane(self, tab: str, widget: Widget) -> Widget:
        self._mounting.add(widget)
        try:
            await self._holder(tab).mount(widget)
        finally:
            self._mounting.discard(widget)
            del self._building[tab]
        if widget in self._broken:
            await self._drop_pane(widget)
            raise ImportError(self._broken[widget])
        self._holder(tab).failed = False
        return widget

    async def _drop_pane(self, pane: Widget) -> None:
        """Remove a pane left half-built; its tab shows the restart line until it is shown again."""
        holder = pane.parent
        if isinstance(holder, StayPane):
            holder.failed = True
            holder.refresh()
        # A removed widget's parent is None, so a late callback of one (a resize's call_after_refresh)
        # failing can no longer be traced to this pane: remember them all, or that error ended the app.
        self._dropped.update(pane.walk_children(with_self=True))
        if pane.is_attached and pane.is_running:
            await pane.remove()
        elif pane.is_attached:  # its mount failed, so its message loop never ran: Textual's own clean-up
            await pane._message_loop_exit()
        base = self.screen_stack[0]
        if base.focused is not None and not base.focused.is_attached:  # a loop that stopped left it there
            base.set_focus(None)  # (keys went to it, and through it nowhere: not even 1-4)
