"""A checkpoint's line (and a run's) in the Checkpoints tree, fitted to the tree's width from whole parts.

The tree cuts a long line at its edge: at 80x24 that left "loss_d 0" of "loss_d 0.946". So
the line is built from parts that are each shown whole or not at all, the most useful first
(the name, one metric, the time, whether it resumes, the other metrics, the size), and laid
out in their usual order; the detail panel beside the tree shows every value.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from rich.markup import escape

from aigc_tui.runs import CheckpointInfo
from aigc_tui.runs.store import Run
from aigc_tui.runs.summary import plotted_series
from aigc_tui.ui.rundata import human_size, id_tails, sweep_values

SEP = "  "
MIN_NAME = 8  # a run's name is cut no shorter than this to show its sweep's values


@dataclass(frozen=True)
class LeafParts:
    """What a checkpoint's line may show, read once per reload (the size is a walk of its files)."""

    name: str
    when: str
    metrics: tuple[str, ...]
    size: str
    resumable: str

    @classmethod
    def of(cls, kind: str, ckpt: CheckpointInfo) -> LeafParts:
        shown = plotted_series(kind, ckpt.metrics)
        return cls(ckpt.name, time.strftime("%m-%d %H:%M", time.localtime(ckpt.time)),
                   tuple(f"{k} {ckpt.metrics[k]:.3g}" for k in shown if k in ckpt.metrics),
                   human_size(ckpt.size_bytes()), "resumable" if ckpt.resumable else "weights only")

    def label(self, width: int) -> str:
        """The line in at most `width` cells (<= 0: not laid out yet, everything)."""
        parts = [self.name, self.when, *self.metrics, self.size, self.resumable]  # as they read on the line
        if width <= 0:
            return SEP.join(parts)
        last = len(parts) - 1  # resumable or weights only: what `r` will do
        first_metric = [2] if self.metrics else []
        priority = [*first_metric, 1, last, *(i for i in range(2, last) if i not in first_metric)]
        kept = _fit(parts, priority, width)  # the name always
        return SEP.join(p for i, p in enumerate(parts) if i in kept)


def _fit(parts: list[str], priority: list[int], width: int) -> set[int]:
    """The indexes of the parts that fit in `width` cells, the first always, then by priority."""
    kept, used = {0}, len(parts[0])
    for index in priority:
        size = len(SEP) + len(parts[index])
        if used + size <= width:
            kept.add(index)
            used += size
    return kept


@dataclass(frozen=True)
class RunParts:
    """A run's line: its name, a sweep run's values of the keys its sweep varies (what tells the
    runs of one sweep apart, e.g. `lr_g=0.0002 batch_size=32`), its kind and its checkpoint count."""

    name: str
    values: tuple[str, ...]
    kind: str
    count: int
    tail: str = ""  # ` ~4b49`, the id's tail, when another run shows the same name and values

    @classmethod
    def of(cls, run: Run, checkpoints: list[CheckpointInfo]) -> RunParts:
        """Read off the UI thread: the run's config once."""
        config = run.config()
        return cls(str(config.get("name") or run.id), tuple(sweep_values(config)), str(config.get("kind", "?")),
                   len(checkpoints))

    def label(self, width: int) -> str:
        """Markup for the line in at most `width` cells (<= 0: everything). The sweep's values
        come right after the name, whole; to keep them the name is cut (to no less than
        MIN_NAME cells, ending in '…'), and only when even that is too narrow are values left
        out from the last. The checkpoint count and the kind follow where there is room."""
        name, values, tail = self.name, list(self.values), self.tail
        if width > 0:
            while values and MIN_NAME + len(tail) + len(SEP) + len(" ".join(values)) > width:
                values.pop()
            room = (width - len(SEP) - len(" ".join(values)) if values else width) - len(tail)
            if len(name) > room:
                name = name[: max(1, room - 1)] + "…"
        name += tail  # whole: it is what tells the run from another of its name
        parts = [name, " ".join(values)] if values else [name]
        parts += [self.kind, f"{self.count} checkpoint(s)"]
        kind = len(parts) - 2
        kept = set(range(len(parts))) if width <= 0 else _fit(parts, [*range(1, kind), kind + 1, kind], width)
        shown = [f"[b]{escape(name)}[/b]", *(escape(p) for p in parts[1:])]
        return SEP.join(p for i, p in enumerate(shown) if i in kept)


def told_apart(runs: list[tuple[Run, list[CheckpointInfo], RunParts]]) -> list[tuple[Run, list[CheckpointInfo], RunParts]]:
    """The runs' lines, with the id's tail added to those that would read the same as another's."""
    tails = id_tails({run.id: f"{head.name} {' '.join(head.values)}" for run, _, head in runs})
    return [(run, ckpts, replace(head, tail=tails[run.id])) for run, ckpts, head in runs]
