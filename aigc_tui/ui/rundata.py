"""What the Runs pane shows, read from run directories off the UI thread.

Plain data and file reads only (no widgets), so the runs table, the monitor and the
checkpoints pane share it without importing one another.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text

from aigc_tui.names import id_tails as id_tails  # re-exported: the panes take it from here
from aigc_tui.runs import RunStatus, list_runs
from aigc_tui.runs.checkpoints import best_checkpoint
from aigc_tui.runs.housekeeping import archived_runs
from aigc_tui.runs.layout import CONFUSION_FILE, SAMPLE_IMAGE_SUFFIX, SAMPLE_TEXT_SUFFIX
from aigc_tui.runs.store import Run
from aigc_tui.runs.summary import PRIMARY_SERIES, RunRow, run_row
from aigc_tui.ui.markup import literal


def plotted(kind: str) -> tuple[str, ...] | None:
    """The metrics the monitor loads for a run of this kind (a long run's others stay on disk)."""
    keys = PRIMARY_SERIES.get(kind)  # None (every metric) for a script run: its names vary
    return None if keys is None else (*keys, "nonfinite")  # the plot marks NaN/inf steps


@dataclass
class RowData:
    row: RunRow
    best: str
    run: Run
    best_value: float | None = None  # the keep_best metric's best value, to rank a sweep's runs
    best_mode: str = "min"
    sweep_label: str = ""  # `lr_g=0.001 seed=2`: a sweep run's values of the keys its sweep varies


@dataclass
class MonitorData:
    """What the monitor shows of the selected run."""

    run_id: str
    status: RunStatus
    pngs: list[Path]
    latest_text: tuple[str, str] | None  # (sample name, text) for LMs
    log_sig: tuple[int, float]
    log_lines: list[str] | None  # None: unchanged since the last read
    confusion: str | None = None  # a classifier's newest dev confusion matrix, drawn as text


@dataclass
class RowCache:
    """Configs never change after creation; the best metric only when checkpoints do."""

    configs: dict[str, dict] = field(default_factory=dict)
    best: dict[str, tuple[int, str, float | None]] = field(default_factory=dict)


def _best(run: Run, config: dict, cache: RowCache) -> tuple[str, float | None]:
    """The best checkpoint's metric as a label and a number (cached until checkpoints change)."""
    cfg = config.get("run", {})
    metric = cfg.get("keep_best") or ""
    if not metric:
        return "-", None
    try:
        stamp = run.checkpoints_dir.stat().st_mtime_ns
    except OSError:
        return "-", None
    cached = cache.best.get(run.id)
    if cached and cached[0] == stamp:
        return cached[1], cached[2]
    best = best_checkpoint(run.checkpoints(), metric, cfg.get("best_mode", "min"))
    value = float(best.metrics[metric]) if best else None
    label = f"{metric} {value:.4g}" if value is not None else "-"
    cache.best[run.id] = (stamp, label, value)
    return label, value


def sweep_values(config: dict) -> list[str]:
    """A sweep run's values of the keys its sweep varies, e.g. [`lr_g=0.001`, `seed=2`]."""
    parts = []
    for key in config.get("run", {}).get("sweep_keys", []):
        node: object = config
        for part in str(key).split("."):
            node = node.get(part, "?") if isinstance(node, dict) else "?"
        parts.append(f"{str(key).rsplit('.', 1)[-1]}={node}")
    return parts


def sweep_label(config: dict) -> str:
    """A sweep run's values of the keys its sweep varies, e.g. `lr_g=0.001 seed=2`."""
    return " ".join(sweep_values(config))


def shown_names(rows: list[RowData]) -> dict[str, str]:
    """Run id -> its name as a plot legend shows it, told apart where names repeat (a sweep's
    runs, runs started with the same --name): by the sweep's values, else by the id's tail."""
    counts = Counter(d.row.name for d in rows)
    names = {d.row.id: f"{d.row.name} {d.sweep_label}" if counts[d.row.name] > 1 and d.sweep_label else d.row.name
             for d in rows}
    tails = id_tails(names)
    return {i: n + tails[i] for i, n in names.items()}


def sweep_order(rows: list[RowData]) -> list[RowData]:
    """Newest first, with a sweep's runs together where its newest run is, best metric first."""
    out: list[RowData] = []
    placed: set[str] = set()
    for data in reversed(rows):
        group = data.row.sweep
        if not group:
            out.append(data)
        elif group not in placed:
            placed.add(group)
            members = [d for d in rows if d.row.sweep == group]
            sign = -1.0 if data.best_mode == "max" else 1.0
            out += sorted(members, key=lambda d: (d.best_value is None, sign * (d.best_value or 0.0), d.row.id))
    return out


def collect_rows(runs_dir: Path, cache: RowCache | None = None, archived: bool = False) -> list[RowData]:
    """File reads for the table (with `archived`, the archived runs too, listed as the oldest)."""
    cache = cache or RowCache()
    out = []
    for run in (archived_runs(runs_dir) if archived else []) + list_runs(runs_dir):
        config = cache.configs.get(run.id)
        if not config:
            config = cache.configs[run.id] = run.config()
        label, value = _best(run, config, cache)
        mode = str(config.get("run", {}).get("best_mode", "min"))
        out.append(RowData(run_row(run, config), label, run, value, mode, sweep_label(config)))
    return out


def collect_monitor(run: Run, last_log_sig: tuple[int, float] | None) -> MonitorData:
    status = run.status()
    samples = run.samples()
    texts = [p for p in samples if p.suffix == SAMPLE_TEXT_SUFFIX]
    latest = (texts[-1].stem, texts[-1].read_text(encoding="utf-8", errors="replace")) if texts else None
    try:
        stat = run.log_path.stat()
        sig = (stat.st_size, stat.st_mtime)
    except OSError:
        sig = (0, 0.0)
    lines = run.log_tail(200) if sig != last_log_sig else None
    return MonitorData(run.id, status, [p for p in samples if p.suffix == SAMPLE_IMAGE_SUFFIX], latest, sig, lines,
                       read_confusion(run.path / CONFUSION_FILE))


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def read_confusion(path: Path) -> str | None:
    """A classifier's dev confusion matrix as text: the full matrix for a few labels, else one
    line per true label (right out of total, and what it is most often taken for)."""
    try:
        data = json.loads(path.read_text())
        labels = [str(label) for label in data["labels"]]
        matrix = [[int(n) for n in row] for row in data["matrix"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not labels or len(matrix) != len(labels) or any(len(row) != len(labels) for row in matrix):
        return None  # a torn or foreign file: nothing to draw
    acc, f1, base = (_number(data.get(key)) for key in ("val_accuracy", "val_f1", "baseline_accuracy"))
    lines = [f"dev, step {literal(str(data.get('step', '?')))}: accuracy {acc:.3f}",
             f"macro F1 {f1:.3f}, baseline {base:.3f}"]  # baseline: always the majority label
    longest = max(map(len, labels))
    if len(labels) <= 8:  # fits the monitor's side column (~33 wide at 80x24)
        rw = min(10, longest + 1)
        fit = max(4, (32 - rw) // len(labels))
        biggest = max((max(row, default=0) for row in matrix), default=0)
        width = max(len(str(biggest)) + 1, min(fit, longest + 1))
        lines += ["rows: true, columns: predicted",
                  " " * rw + "".join(literal(f"{lab[:width - 1]:>{width}}") for lab in labels)]
        for label, row in zip(labels, matrix, strict=False):
            lines.append(literal(f"{_cut(label, rw - 1):<{rw}}") + "".join(f"{n:>{width}}" for n in row))
        return "\n".join(lines)
    lines.append("true label  right/all  most often taken for")
    nw = max(10, min(16, longest))  # "multiprocessing" whole; longer names end in "…"
    for i, (label, row) in enumerate(zip(labels, matrix, strict=False)):
        wrong = max(((n, j) for j, n in enumerate(row) if j != i), default=(0, i))
        taken = f"  {literal(labels[wrong[1]])} ({wrong[0]})" if wrong[0] else ""
        lines.append(literal(f"{_cut(label, nw):<{nw}}") + f" {row[i]:>4}/{sum(row):<4}{taken}")
    return "\n".join(lines)


def _cut(label: str, width: int) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def fit_confusion(text: str, height: int, width: int) -> str:
    """The confusion text in `height` rows of `width` cells (long lines wrap): label rows past
    it become one "+N more labels" line, never left out silently; 0 (not laid out yet) keeps it."""
    lines = text.split("\n")
    rows = [max(1, -(-Text.from_markup(line).cell_len // width)) if width > 0 else 1 for line in lines]
    if height <= 0 or sum(rows) <= height:
        return text
    head = next((i + 1 for i, line in enumerate(lines) if line.startswith(("true label", "rows: true"))), 0)
    if head and lines[head - 1].startswith("rows: true"):
        head += 1  # the predicted labels' line
    keep, used = 0, sum(rows[:head]) + 1  # the "+N more" line
    while head + keep < len(lines) and used + rows[head + keep] <= height:
        used += rows[head + keep]
        keep += 1
    return "\n".join([*lines[:head + keep], f"[dim]+{len(lines) - head - keep} more labels[/]"])


def lineage(status: RunStatus) -> str:
    """Where a run came from, for the monitor: the parent run and step, and how."""
    parent = status.parent or {}
    if not parent.get("run"):
        return ""
    how = parent.get("how", "")
    if how == "fork":
        how = "fork with weights" if parent.get("weights") else "fork, config only"
    return f"from {parent['run']} @ step {parent.get('step', '?')} ({how})"


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"
