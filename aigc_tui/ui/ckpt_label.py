"""A checkpoint's line in the Checkpoints tree, fitted to the tree's width from whole parts.

The tree cuts a long line at its edge: at 80x24 that left "loss_d 0" of "loss_d 0.946". So
the line is built from parts that are each shown whole or not at all, the most useful first
(the name, one metric, the time, whether it resumes, the other metrics, the size), and laid
out in their usual order; the detail panel beside the tree shows every value.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from aigc_tui.runs import CheckpointInfo
from aigc_tui.runs.summary import plotted_series
from aigc_tui.ui.rundata import human_size

SEP = "  "


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
        kept, used = {0}, len(self.name)  # the name always
        for index in priority:
            size = len(SEP) + len(parts[index])
            if used + size <= width:
                kept.add(index)
                used += size
        return SEP.join(p for i, p in enumerate(parts) if i in kept)
