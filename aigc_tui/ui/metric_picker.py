"""The `m` screen: tick the metrics to plot (every scalar the run logs); applies as you tick."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static


class MetricPicker(ModalScreen[None]):
    BINDINGS = [Binding("escape,m", "dismiss", "Close", id="metrics.close")]
    DEFAULT_CSS = """
    MetricPicker { align: center middle; }
    MetricPicker > Vertical { width: 50; max-width: 100%; height: auto; max-height: 100%;
                              border: thick $primary; background: $surface; }
    MetricPicker #metrics-title { padding: 0 1; }
    MetricPicker SelectionList { height: auto; max-height: 18; border: none; }
    """

    def __init__(self, kind: str, names: list[str], picked: tuple[str, ...],
                 apply: Callable[[list[str]], None]) -> None:
        super().__init__()
        self.kind, self.names, self.picked, self.apply = kind, names, picked, apply

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]Plot for {self.kind} runs[/b]  [dim]space or enter ticks · esc closes[/]", id="metrics-title")
            yield SelectionList[str](*[(n, n, n in self.picked) for n in self.names], id="metrics-list")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    @on(SelectionList.SelectedChanged)
    def _changed(self, event: SelectionList.SelectedChanged) -> None:
        chosen = set(event.selection_list.selected)
        self.apply([n for n in self.names if n in chosen])  # the list's order, not the ticking order
