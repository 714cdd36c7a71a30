"""What the Runs pane shows, read from run directories off the UI thread.

Plain data and file reads only (no widgets), so the runs table, the monitor and the
checkpoints pane share it without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aigc_tui.runs import RunStatus, list_runs
from aigc_tui.runs.checkpoints import best_checkpoint
from aigc_tui.runs.layout import SAMPLE_IMAGE_SUFFIX, SAMPLE_TEXT_SUFFIX
from aigc_tui.runs.store import Run
from aigc_tui.runs.summary import PRIMARY_SERIES, RunRow, run_row


def plotted(kind: str) -> tuple[str, ...] | None:
    """The metrics the monitor loads for a run of this kind (a long run's others stay on disk)."""
    return PRIMARY_SERIES.get(kind)  # None (every metric) for a script run: its names vary


@dataclass
class RowData:
    row: RunRow
    best: str
    run: Run


@dataclass
class MonitorData:
    """What the monitor shows of the selected run."""

    run_id: str
    status: RunStatus
    pngs: list[Path]
    latest_text: tuple[str, str] | None  # (sample name, text) for LMs
    log_sig: tuple[int, float]
    log_lines: list[str] | None  # None: unchanged since the last read


@dataclass
class RowCache:
    """Configs never change after creation; the best metric only when checkpoints do."""

    configs: dict[str, dict] = field(default_factory=dict)
    best: dict[str, tuple[int, str]] = field(default_factory=dict)


def _best_label(run: Run, config: dict, cache: RowCache) -> str:
    cfg = config.get("run", {})
    metric = cfg.get("keep_best") or ""
    if not metric:
        return "-"
    try:
        stamp = run.checkpoints_dir.stat().st_mtime_ns
    except OSError:
        return "-"
    cached = cache.best.get(run.id)
    if cached and cached[0] == stamp:
        return cached[1]
    best = best_checkpoint(run.checkpoints(), metric, cfg.get("best_mode", "min"))
    label = f"{metric} {best.metrics[metric]:.4g}" if best else "-"
    cache.best[run.id] = (stamp, label)
    return label


def collect_rows(runs_dir: Path, cache: RowCache | None = None) -> list[RowData]:
    """File reads for the table."""
    cache = cache or RowCache()
    out = []
    for run in list_runs(runs_dir):
        config = cache.configs.get(run.id)
        if not config:
            config = cache.configs[run.id] = run.config()
        out.append(RowData(run_row(run, config), _best_label(run, config, cache), run))
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
    return MonitorData(run.id, status, [p for p in samples if p.suffix == SAMPLE_IMAGE_SUFFIX], latest, sig, lines)


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"
