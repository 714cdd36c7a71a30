"""Text shown in at most a few lines, the last ending in '…' when there is more (tester6 G34).

A recipe's description is free text: a long one wrapped to the pane's height and pushed the Launch
form, Start and the form's errors off screen. ClampedText keeps it to `max_lines` at any width and
puts the whole text in the tooltip.
"""

from __future__ import annotations

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

TOOLTIP_MAX = 1200  # characters: a tooltip is a box near the mouse, not a reader


class Clamped(Visual):
    """A Content cut to `max_lines` wrapped lines at whatever width it gets."""

    def __init__(self, content: Content, max_lines: int) -> None:
        self.content = content
        self.max_lines = max_lines

    def __str__(self) -> str:
        return str(self.content)  # the whole text: what a test or a copy of the widget's text reads

    def lines(self, width: int) -> Content:
        """The content wrapped to `width`, cut to max_lines with '…' ending the last one when cut."""
        wrapped = self.content.wrap(width) if width > 0 else []
        if len(wrapped) <= self.max_lines:
            return self.content
        last = wrapped[self.max_lines - 1].rstrip()
        if last.cell_length >= width:
            last = last.truncate(width - 1)
        return Content("\n").join([*wrapped[: self.max_lines - 1], last + "…"])

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.content.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return min(self.max_lines, self.content.get_height(rules, width))

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self.lines(width).render_strips(width, height, style, options)


class ClampedText(Static):
    """A Static of at most `max_lines` lines; the tooltip holds the whole text when it is cut."""

    def __init__(self, text: str = "", max_lines: int = 3, **kwargs) -> None:
        self.max_lines = max_lines
        super().__init__(**kwargs)
        self.update(text)

    def update(self, content="", *, layout: bool = True) -> None:  # type: ignore[override]
        text = content if isinstance(content, Content) else Content.from_markup(str(content))
        super().update(Clamped(text, self.max_lines), layout=layout)
        plain = text.plain
        long = len(plain) > 40 * self.max_lines  # may be cut at 80 columns: the tooltip shows (most of) it
        self.tooltip = (plain if len(plain) <= TOOLTIP_MAX else plain[: TOOLTIP_MAX - 1] + "…") if long else None
