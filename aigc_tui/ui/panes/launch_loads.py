"""Launch's recipe loads: the form built for the recipe highlighted, one load at a time, and ^s that
waits until the form, its header and the run name are all of the recipe the list shows.

LaunchPane's base class (a mixin beside Horizontal would lose Horizontal's CSS: Textual follows only
the first widget base)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual import on
from textual.containers import Horizontal
from textual.widgets import OptionList

SETTLE_POLLS, SETTLE_POLL_S = 500, 0.02  # ^s waits at most 10 s for a recipe's form being built


class RecipeLoads(Horizontal):
    """Needs the pane's `_show_recipe(path, data)` and `_start_now()`, and an OptionList `#recipes`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ticket = 0  # the newest load asked for; one still waiting for the lock when a newer comes is skipped
        self._load_lock = asyncio.Lock()
        self._loads = 0  # loads asked for and not done (or skipped) yet
        self._requested: str | None = None  # the list's recipe a load was last asked for
        self._form_of: str | None = None  # the list's recipe the form shows (a fork's: the one highlighted then)

    async def _show_recipe(self, path: Path, data: dict[str, Any] | None) -> None:
        raise NotImplementedError

    def _start_now(self) -> None:
        raise NotImplementedError

    @on(OptionList.OptionHighlighted, "#recipes")
    def _recipe_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Not awaited here: the next highlight takes its ticket at once, so the loads that quick
        arrow presses overtake are skipped instead of building a form (~1.5 s of CPU) each. A late
        event for an option no longer highlighted (the mount's own highlight, posted after the
        user moved on) is dropped: it re-built a recipe's form over the one the user is on."""
        if event.option.id and event.option_index == event.option_list.highlighted and event.option.id != self._requested:
            self._requested = event.option.id
            self.run_worker(self._load(self._take_ticket(), Path(event.option.id), None), group="recipe-load")

    async def load_recipe(self, path: Path, data: dict[str, Any] | None = None) -> None:
        """Show a recipe (or a forked config) as a form.

        Loads run one at a time, in the order asked; one overtaken while it waited (quick arrow
        presses, a fine-tune opened while the default recipe loads) is skipped.
        """
        await self._load(self._take_ticket(), path, data)

    def _take_ticket(self) -> int:
        self._ticket += 1
        return self._ticket

    async def _load(self, ticket: int, path: Path, data: dict[str, Any] | None) -> None:
        self._loads += 1
        try:
            async with self._load_lock:
                if ticket == self._ticket:
                    await self._show_recipe(path, data)
                    self._form_of = str(path) if data is None else self._highlighted()
        finally:
            self._loads -= 1

    def _highlighted(self) -> str | None:
        option = self.query_one("#recipes", OptionList).highlighted_option
        return option.id if option is not None else None

    def _settled(self) -> bool:
        """Whether the form, its header and the run name are all of the recipe the list shows."""
        return not self._loads and self._highlighted() in (None, self._form_of)

    async def _start_when_settled(self) -> None:
        """^s right after a move in the list starts what the list shows, all of one recipe: the new recipe
        under the old one's name started while its load was half done, the old one before it began (T7)."""
        wanted = self._highlighted()
        if wanted is not None and wanted not in (self._form_of, self._requested):  # its highlight still queued
            self._requested = wanted
            await self._load(self._take_ticket(), Path(wanted), None)
        for _ in range(SETTLE_POLLS):
            if self._settled():
                break
            await asyncio.sleep(SETTLE_POLL_S)
        self._start_now()
