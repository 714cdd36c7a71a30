"""Safe file names from names a user types (run ids, saved recipes), and how same-named runs are
told apart on screen; pure Python."""

from __future__ import annotations

import re
from collections import Counter


def slug(text: str, limit: int = 40, fallback: str = "run") -> str:
    """Letters, digits, `_`, `.`, `-` only; no leading dot or dash; never empty, `.` or `..`."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")[:limit].strip("-.") or fallback


def id_tails(names: dict[str, str]) -> dict[str, str]:
    """Run id -> ` ~4b49`, its id's tail, where its name (as shown) is another run's too; else "".
    A copied run keeps its tail: where same-named runs share one too, their ids' date-time
    (` ~20260101-000300`), and where even that repeats, the whole id."""
    again = Counter(names.values())
    tails = {i: i.rsplit("-", 1)[-1] for i in names}
    twins = Counter((names[i], t) for i, t in tails.items())
    stamps = {i: "-".join(i.split("-")[:2]) for i in names}
    same_time = Counter((names[i], t) for i, t in stamps.items())
    out = {}
    for i, n in names.items():
        if again[n] < 2:
            out[i] = ""
        elif twins[n, tails[i]] < 2:
            out[i] = f" ~{tails[i]}"
        else:
            out[i] = f" ~{stamps[i]}" if same_time[n, stamps[i]] < 2 else f" ~{i}"
    return out
