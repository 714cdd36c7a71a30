"""`aigc-tui runs`, `stop`, `request` and `watch`: read the run directory, drop control requests."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING

from aigc_tui.commands.progress_line import metric_text, progress_text, speed_text
from aigc_tui.errors import AigcError
from aigc_tui.paths import runs_root
from aigc_tui.runs import ControlAction, find_run, list_runs, request_control
from aigc_tui.runs.status import LIVE_STATES
from aigc_tui.runs.store import Run
from aigc_tui.runs.summary import format_duration, plotted_series, run_row
from aigc_tui.styles import STATE_STYLE

if TYPE_CHECKING:
    from aigc_tui.runs.metrics import MetricsReader


def _find(args: argparse.Namespace) -> Run:
    return find_run(runs_root(args.runs_dir), args.run)


def list_cmd(args: argparse.Namespace) -> int:
    root = runs_root(args.runs_dir)
    args.tags = [t.removeprefix("#") for t in args.tags]  # shown as #best: typed that way too
    if not all(args.tags):
        raise AigcError("empty --tag: give a word, e.g. `--tag best`")
    runs = list_runs(root)
    if args.all:
        from aigc_tui.runs.housekeeping import archived_runs

        runs += archived_runs(root)
    rows = [r for r in map(run_row, runs) if all(t in r.tags for t in args.tags)]
    if args.json:
        print(json.dumps([r.to_json() for r in rows], indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from aigc_tui.commands.runs_table import GAP, best_text, lay_out

    if not rows:
        which = f"tagged {', '.join(args.tags)} " if args.tags else ""
        print(f"no runs {which}under {root}" + ("" if args.tags else
              "; start one with `aigc-tui train gan_mlp_digits`"))
        return 0
    now = time.time()
    if not sys.stdout.isatty():  # piped: whole cells, aligned, no colour, never cut (grep, awk); the id first
        header = ("id", "kind", "state", "step", "speed", "time", "device", "tags")
        piped = [(r.id, r.kind, "archived" if r.archived else r.state_text or r.state, r.progress, r.speed_text,
                  format_duration(r.elapsed(now)), r.device or "-", " ".join(f"#{t}" for t in r.tags)) for r in rows]
        widths = [max(len(row[i]) for row in [header, *piped]) for i in range(len(header))]
        for row in [header, *piped]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        return 0
    by_path = {str(run.path): run for run in runs}
    cells = [(r.name, r.kind, "archived" if r.archived else r.state_text or r.state, r.progress,
              best_text(by_path[r.path]), r.speed_text, format_duration(r.elapsed(now)), r.device or "-",
              " ".join(f"#{t}" for t in r.tags), r.id) for r in rows]
    console = Console()
    columns, shown = lay_out(cells, console.width, [r.id for r in runs])
    table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, GAP // 2))
    for col in columns:
        table.add_column(col, no_wrap=True)
    state = columns.index("state")
    for r, row in zip(rows, shown, strict=True):
        style = "dim" if r.archived else STATE_STYLE.get(r.state, "")
        table.add_row(*(Text(cell, style=style if i == state else "") for i, cell in enumerate(row)))
    console.print(table)
    return 0


def _send(run: Run, action: ControlAction) -> int:
    status = run.status()
    if not status.state.is_live:
        raise AigcError(f"run {run.id} is not running (it is {status.state.value})")
    request_control(run.path, action)
    print(f"{action.value} requested for {run.id}")
    return 0


def stop(args: argparse.Namespace) -> int:
    from aigc_tui.runs.stopping import stop_run

    print(stop_run(_find(args), force=args.force))  # a run no worker has claimed yet is ended at once
    return 0


def request(args: argparse.Namespace) -> int:
    return _send(_find(args), ControlAction(args.action))


def render_frame(run: Run, reader: MetricsReader, width: int) -> object:
    """One frame of `watch`: header, progress, last metrics and a plotext loss plot."""
    import plotext as plt
    from rich.console import Group
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from rich.text import Text

    row = run_row(run)
    head = Text.assemble((row.name, "bold"), f"  {row.kind}  ", (row.state_text, STATE_STYLE.get(row.state, "")),
                         f"  step {row.progress}  {row.device}")
    if row.throughput:
        head.append(f"  {speed_text(row)}")
    bar = Table.grid()  # a bare ProgressBar ends without a newline: the next line would join it
    bar.add_row(ProgressBar(total=max(row.total, 1), completed=row.step, width=width - 2))
    parts: list[object] = [head, bar]
    if row.command:
        parts.append(Text(f"$ {row.command}", style="dim"))
    if row.error:
        parts.append(Text(f"error: {row.error}", style="red"))
    if reader.last:
        table = Table.grid(padding=(0, 2))
        items = [(k, v) for k, v in reader.last.items() if k not in ("step", "time")]
        for cells in metric_rows(items, width):
            table.add_row(*cells)
        parts.append(table)
    from aigc_tui.ui.series import minmax_decimate

    losses = [k for k in plotted_series(row.kind, reader.keys) if k in reader.series]
    if losses:
        plt.clear_figure()
        plt.plotsize(width - 2, 16)
        plt.theme("clear")
        for key in losses:
            s = reader.series[key]
            plt.plot(*minmax_decimate(s.steps, s.values, max(10, width - 12)), label=key)
        last = max(int(reader.series[k].steps[-1]) for k in losses if len(reader.series[k].steps))
        ticks = sorted({round(last * i / 4) for i in range(5)})
        plt.xticks(ticks, [str(t) for t in ticks])  # plotext's own ticks are fractional steps
        plt.xlabel("step")
        parts.append(Text.from_ansi(plt.build()))
    return Group(*parts)


def metric_rows(items: list[tuple[str, object]], width: int, most: int = 4) -> list[list[str]]:
    """`watch`'s metrics, up to `most` a row: as many as fit `width` whole, so Rich never cuts two names
    to one stub (`grad_no…` for grad_norm_d and grad_norm_g, tester8 I8); a metric wider than the
    terminal alone loses the middle of its name (`grad…_d 1.25`), never its value."""
    from rich.cells import cell_len

    plain = [metric_text(k, v) for k, v in items]
    per_row = next((n for n in range(min(most, len(items)), 1, -1)
                    if sum(max(cell_len(t) for t in plain[c::n]) for c in range(n)) + 2 * (n - 1) <= width), 1)
    cells = []
    for (key, value), text in zip(items, plain, strict=True):
        over = cell_len(text) - width
        if per_row == 1 and over > 0:
            keep = max(2, len(key) - over - 1)
            key = key[: (keep + 1) // 2] + "…" + key[len(key) - keep // 2:]
        cells.append(metric_text(key, value, markup=True))
    return [cells[i:i + per_row] for i in range(0, len(cells), per_row)]


def _watch_lines(run: Run, reader: MetricsReader) -> None:
    """`watch` off a terminal: Rich Live would print nothing until the run ends.

    Besides a line per logged step, a line whenever a live run's state changes while it waits
    (`queued #2`, `queued #1`, `starting`) and `running` once it leaves the wait, so a queued
    run is not silence.
    """
    printed, said, config = -1, "running", run.config()
    while True:
        reader.poll()
        row = run_row(run, config)
        live = row.state in LIVE_STATES
        if live and row.state_text != said:
            waiting = f" (waiting for {row.waiting_for})" if row.waiting_for and row.queue_position else ""
            print(f"[{time.strftime('%H:%M:%S')}] {row.state_text}{waiting}", flush=True)
            said = row.state_text
        step = int((reader.last or {}).get("step", -1))
        if step != printed:
            logged = (reader.last or {}).get("time")  # when the step was logged, not when it is read
            when = time.localtime(logged if isinstance(logged, (int, float)) else None)
            print(f"[{time.strftime('%H:%M:%S', when)}] {progress_text(row, reader)}", flush=True)
            printed = step
        if not live:
            return
        time.sleep(1.0)


def watch(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.live import Live

    run = _find(args)
    from aigc_tui.runs.metrics import MetricsReader

    reader = MetricsReader(run.path, keys=())  # learn the names, then load only the plotted ones
    console = Console()
    reader.poll()
    reader.want(plotted_series(run.kind, reader.keys))
    reader.poll()
    if args.once:
        console.print(render_frame(run, reader, console.width))
        return 0
    if not console.is_terminal:  # a pipe, a file, CI: one plain line per logged step, as they come
        _watch_lines(run, reader)
    else:
        with Live(render_frame(run, reader, console.width), console=console, refresh_per_second=4) as live:
            while True:
                reader.poll()
                live.update(render_frame(run, reader, console.width))
                if not run.status().state.is_live:
                    break
                time.sleep(0.5)
    state = run.status()
    console.print(f"run {run.id} ended {state.state.value} at step {state.step}")
    return 0 if state.state.value in ("finished", "stopped") else 1
