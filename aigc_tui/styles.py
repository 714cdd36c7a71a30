"""Rich styles for run states, shared by the CLI's tables and the app (presentation only)."""

from __future__ import annotations

STATE_STYLE = {"running": "green", "queued": "cyan", "finished": "blue", "stopped": "yellow",
               "failed": "bold red", "lost": "bold red"}


def styled_state(state: str, label: str | None = None) -> str:
    """A state as Rich markup, e.g. `[green]running[/]`; `label` shows instead (`queued #2`)."""
    return f"[{STATE_STYLE.get(state, '')}]{label or state}[/]"
