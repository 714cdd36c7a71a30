"""`aigc-tui runs` on a terminal: which columns fit its width, so state, step, best and time are never cut.

Every column shows when the terminal is wide enough (about 150 cells for typical runs).
Narrower, in turn: the device goes, the id is cut to its date and time (a prefix `aigc-tui`
commands accept while it is unique), the kind goes, speed units get short (`img/s`) and the
best metric loses its name (`2.31`, as in the app), the id goes (the name names the newest
run of that name), long names are cut with "…", then the speed goes. The state, step, best
and time are never cut; the name and tags take what is left. Runs that share a name carry
their id's tail (`mlp-gan-digits ~47a9`, names.id_tails, as in the app), kept whole when the
name is cut. Piped output is not laid out
here: it prints whole cells (see `runs_cmds.list_cmd`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from aigc_tui.names import id_tails
from aigc_tui.runs.checkpoints import best_checkpoint
from aigc_tui.runs.store import Run

HEADER = ("name", "kind", "state", "step", "best", "speed", "time", "device", "tags", "id")
GAP = 2  # cells between two columns
ID_CUT = 15  # the id's date and time: `20261207-000558`, the shortest id prefix a command accepts
SHORT_UNITS = {" tokens/s": " tok/s", " images/s": " img/s", " examples/s": " ex/s", " steps/s": " st/s"}
CUTTABLE = ("name", "tags", "id")  # what gives way when nothing else is left to drop


@dataclass(frozen=True)
class Stage:
    dropped: frozenset[str] = frozenset()
    id_cut: bool = False
    short: bool = False  # short speed units
    name_width: int | None = None


STAGES = (  # least lost first
    Stage(),
    Stage(frozenset({"device"})),
    Stage(frozenset({"device"}), id_cut=True),
    Stage(frozenset({"device", "kind"}), id_cut=True),
    Stage(frozenset({"device", "kind"}), id_cut=True, short=True),
    Stage(frozenset({"device", "kind", "id"}), short=True),
    Stage(frozenset({"device", "kind", "id"}), short=True, name_width=24),
    Stage(frozenset({"device", "kind", "id"}), short=True, name_width=18),
    Stage(frozenset({"device", "kind", "id", "speed"}), short=True, name_width=18),
    Stage(frozenset({"device", "kind", "id", "speed"}), short=True, name_width=14),
)


def cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, ending in "…" when cut."""
    return text if cell_len(text) <= width else set_cell_size(text, max(0, width - 1)) + "…"


def cut_name(name: str, tail: str, width: int) -> str:
    """A name and its ` ~47a9` in `width` cells: the name is cut, the tail that tells runs apart stays whole."""
    return cut(name, max(1, width - cell_len(tail))) + tail


def _cell(stage: Stage, column: str, cell: str, id_width: int, tail: str = "") -> str:
    if column == "id" and stage.id_cut:
        return cut(cell, id_width + 1)
    if column == "speed" and stage.short:
        for long, short in SHORT_UNITS.items():
            cell = cell.replace(long, short)
    if column == "name":
        return cut_name(cell, tail, stage.name_width) if stage.name_width else cell + tail
    if column == "best" and stage.short and " " in cell:
        return cell.rsplit(" ", 1)[1]  # "val_loss 2.31" -> "2.31": the recipe names the metric
    return cell


def best_text(run: Run) -> str:
    """The run's best checkpoint by its `run.keep_best` metric, e.g. `val_loss 2.31` ("-": none)."""
    cfg = run.config().get("run", {})
    metric = str(cfg.get("keep_best") or "")
    best = best_checkpoint(run.checkpoints(), metric, str(cfg.get("best_mode", "min"))) if metric else None
    return f"{metric} {float(best.metrics[metric]):.4g}" if best else "-"


def _unique_prefix(ids: Sequence[str]) -> int:
    """The shortest prefix length (at least ID_CUT) that still tells every id apart."""
    n = ID_CUT
    while n < max(map(len, ids), default=0) and len({i[:n] for i in ids}) < len(set(ids)):
        n += 1
    return n


def lay_out(rows: Sequence[Sequence[str]], width: int, all_ids: Sequence[str] = ()) -> tuple[list[str], list[list[str]]]:
    """The columns shown and each row's cells at `width` terminal cells (rows in HEADER's order).

    `all_ids`: every run's id, so a cut id stays a prefix of only one run."""
    id_width = _unique_prefix(list(all_ids) or [r[HEADER.index("id")] for r in rows])
    name, run_id = HEADER.index("name"), HEADER.index("id")
    tails = id_tails({row[run_id]: row[name] for row in rows})
    for stage in STAGES:
        columns = [c for c in HEADER if c not in stage.dropped]
        shown = [[_cell(stage, c, row[HEADER.index(c)], id_width, tails[row[run_id]]) for c in columns] for row in rows]
        widths = [max(len(c), *(cell_len(r[i]) for r in shown)) for i, c in enumerate(columns)]
        excess = sum(widths) + GAP * (len(columns) - 1) - width
        if excess <= 0:
            return columns, shown
    for column in CUTTABLE:  # still too wide: cut the name, then the tags, never the state or step
        if column not in columns or excess <= 0:
            continue
        i = columns.index(column)
        room = max(len(column), widths[i] - excess)
        shown = [[_cut_cell(column, v, room, tails[row[run_id]]) if j == i else v for j, v in enumerate(r)]
                 for r, row in zip(shown, rows, strict=True)]
        excess -= widths[i] - room
        widths[i] = room
    return columns, shown


def _cut_cell(column: str, shown: str, room: int, tail: str) -> str:
    if column == "name" and tail and shown.endswith(tail):
        return cut_name(shown[: -len(tail)], tail, room)
    return cut(shown, room)
