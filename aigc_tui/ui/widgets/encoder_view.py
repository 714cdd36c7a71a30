"""Try an encoder in Generate: fill the [MASK]s of a masked-LM, or a classifier's label probabilities.

Both go through the generation helper (ops `fill_mask` and `classify`), so the app never
imports torch; the answer is drawn as a bar chart of probabilities.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static, TextArea

from aigc_tui.ui.markup import literal
from aigc_tui.ui.widgets.text_fields import FieldTextArea

BAR_WIDTH = 40


def bar_chart(rows: list[tuple[str, float]], limit: int = 12) -> str:
    """`label  0.873  ████████` lines, most likely first (Rich markup)."""
    if not rows:
        return ""
    width = min(24, max(len(label) for label, _ in rows[:limit]))
    lines = []
    for label, prob in rows[:limit]:
        bar = "█" * max(0, round(prob * BAR_WIDTH))
        lines.append(f"{literal(f'{label[:width]:<{width}}')}  {prob:6.3f}  [$accent]{bar}[/]")
    if len(rows) > limit:
        lines.append(f"[dim]… {len(rows) - limit} more, together {sum(p for _, p in rows[limit:]):.3f}[/]")
    return "\n".join(lines)


class EncoderView(Vertical):
    """A text box, one action (fill-mask or classify, by the checkpoint's kind) and the answer."""

    DEFAULT_CSS = """
    EncoderView #enc-text { height: 4; margin-top: 1; background: $boost; }
    EncoderView #enc-bar { height: 1; }
    EncoderView #enc-go { margin-right: 1; }
    EncoderView #enc-status { width: 1fr; color: $text-muted; }
    EncoderView #enc-scroll { height: 1fr; }
    EncoderView #enc-result { padding: 0 1; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.op = "classify"  # or "fill_mask"
        self.model = ""
        self.request: str | None = None

    def compose(self) -> ComposeResult:
        yield FieldTextArea("Return the running event loop in the current OS thread.", id="enc-text", compact=True)
        with Horizontal(id="enc-bar"):
            yield Button("Classify ^g", variant="success", id="enc-go", compact=True)
            yield Static("", id="enc-status")
        with VerticalScroll(id="enc-scroll"):
            yield Static("", id="enc-result")

    def set_model(self, model: str, kind: str) -> None:
        """Point the view at a checkpoint; its kind picks the action."""
        self.model = model
        op = "fill_mask" if kind == "mlm" else "classify"
        if op != self.op:
            self.op = op
            self.query_one("#enc-result", Static).update("")
            text = self.query_one("#enc-text", TextArea)
            text.text = ("The [MASK] statement returns a value from a function." if op == "fill_mask"
                         else "Return the running event loop in the current OS thread.")
        self.query_one("#enc-go", Button).label = "Fill mask ^g" if op == "fill_mask" else "Classify ^g"

    @on(Button.Pressed, "#enc-go")
    def submit(self) -> None:
        text = self.query_one("#enc-text", TextArea).text
        status = self.query_one("#enc-status", Static)
        if not self.model:
            status.update("[red]pick a checkpoint: an mlm run fills masks, a classify run labels text[/]")
            return
        if not text.strip():
            status.update("[red]type a text first[/]")
            return
        if self.request is not None:
            status.update("[red]still working on the last one[/]")
            return
        if self.op == "fill_mask" and "[MASK]" not in text:
            status.update(f"[red]{literal('put a [MASK] in the text to fill')}[/]")
            return
        status.update("working…")
        client = self.app.generation  # type: ignore[attr-defined]
        if self.op == "fill_mask":
            self.request = client.fill_mask(self.model, text, top_k=5, device="auto")
        else:
            self.request = client.classify(self.model, text, device="auto")

    def handle_event(self, event: dict[str, Any]) -> bool:
        """Take the helper's answer to this view's request; False when it is someone else's."""
        if self.request is None or event.get("id") != self.request:
            return False
        kind = event.get("event")
        status = self.query_one("#enc-status", Static)
        result = self.query_one("#enc-result", Static)
        if kind == "probs":
            rows = [(str(label), float(p)) for label, p in event["probs"]]
            note = f"; {event['note']}" if event.get("note") else ""
            status.update(f"{len(rows)} labels; the probabilities sum to {sum(p for _, p in rows):.3f}{literal(note)}")
            result.update(bar_chart(rows))
        elif kind == "fill":
            parts = [f"[b]{literal(event['text'])}[/b]", ""]
            for n, options in enumerate(event["guesses"], 1):
                parts.append(f"mask {n}:")
                parts.append(bar_chart([(g["token"], g["prob"]) for g in options]))
            status.update(literal("top guesses for each [MASK]"))
            result.update("\n".join(parts))
        elif kind == "error":
            status.update(f"[red]error: {literal(str(event.get('message')))}[/]")
        if kind in ("probs", "fill", "error"):
            self.request = None
        return True
