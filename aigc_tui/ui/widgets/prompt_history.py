"""Generate's prompt history list: newest first, no duplicates; a pick gives back its whole entry."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList

from aigc_tui.generate.history import HistoryEntry, add_history, load_history


class PromptHistory(OptionList):
    """The entries behind the options, read from `prompt_history.jsonl` (kept by `keep`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entries: list[HistoryEntry] = []

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.entries = list(reversed(load_history(50)))
        self.clear_options()
        for entry in self.entries:
            self.add_option(entry.prompt.replace("\n", "⏎")[:60])

    def keep(self, prompt: str, params: dict[str, Any], model: str, stops: str) -> None:
        """Store a request the helper accepted, then show it first."""
        add_history(prompt, params, model, stops)
        self.reload()
