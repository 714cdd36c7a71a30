"""What the Checkpoints pane reads and shows: the runs its tree lists, the plot beside it, and a checkpoint's
line (and a run's) in the tree, fitted to the tree's width from whole parts.

The tree cuts a long line at its edge: at 80x24 that left "loss_d 0" of "loss_d 0.946". So
the line is built from parts that are each shown whole or not at all, the most useful first
(the name, one metric, the time, whether it resumes, the other metrics, the size), and laid
out in their usual order; the detail panel beside the tree shows every value.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from rich.markup import escape

from aigc_tui.runs import CheckpointInfo, list_runs
from aigc_tui.runs.checkpoints import SetAside, set_aside
from aigc_tui.runs.metrics import MetricsReader
from aigc_tui.runs.store import Run
from aigc_tui.runs.summary import plotted_series
from aigc_tui.ui.rundata import human_size, id_tails, sweep_values
from aigc_tui.ui.widgets.loss_plot import PlotOptions, PlotSeries

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


def tree_runs(runs_dir: Path, keep: str | None) -> tuple[list[tuple[Run, list[CheckpointInfo], RunParts]], int, bool,
                                                          dict[Path, list[SetAside]]]:
    """What the tree lists (read off the UI thread): the runs with a checkpoint (or one set aside), and
    `keep` (the run the user opened with k) even without; how many runs are left out (script and failed
    runs with none were a third of the tree: tester6 G30); whether any run is live (it may write one);
    each listed run's set-aside checkpoints."""
    listed, hidden, live, asides = [], 0, False, {}
    for run in list_runs(runs_dir):
        checkpoints, aside = run.checkpoints(), set_aside(run.path)
        live = live or run.status().state.is_live
        if checkpoints or aside or run.id == keep:
            listed.append((run, checkpoints, RunParts.of(run, checkpoints)))
            if aside:
                asides[run.path] = aside
        else:
            hidden += 1
    return told_apart(listed), hidden, live, asides


def hidden_line(count: int) -> str:
    return f"{count} run{'s' if count != 1 else ''} with no checkpoint not listed" if count else ""


def run_plot(run: Run, smoothing: float) -> tuple[list[PlotSeries], PlotOptions]:
    """The run's plotted metrics, checkpoints marked (read off the UI thread: a long run's file can be large)."""
    reader = MetricsReader(run.path, keys=())  # learn the names, then load only the plotted ones
    reader.poll()
    reader.want(plotted_series(run.kind, reader.keys))
    reader.poll()
    series = [PlotSeries(n, reader.series[n].steps, reader.series[n].values, key=f"{run.id}/{n}")
              for n in plotted_series(run.kind, reader.keys) if n in reader.series]
    return series, PlotOptions(smoothing=smoothing, markers=[c.step for c in run.checkpoints()])
