"""`aigc-tui rm`, `archive`, `unarchive`, `tag`, `note` and `diff`: housekeeping on run directories.

The work is in runs/housekeeping.py, runs/notes.py and runs/config_diff.py (the app calls the
same functions); this module only parses, asks and prints. Every run named is found and
checked before anything changes, so one bad name or one live run changes nothing.
"""

from __future__ import annotations

import argparse
import sys

from aigc_tui.errors import AigcError
from aigc_tui.paths import runs_root
from aigc_tui.runs.config_diff import diff_runs
from aigc_tui.runs.housekeeping import (
    archive_run,
    check_idle,
    clean_tombstones,
    delete_run,
    find_any,
    resolve_runs,
    unarchive_run,
)
from aigc_tui.runs.leftovers import clean_half_made_runs
from aigc_tui.runs.notes import change_tags, parse_tag_changes, write_notes


def _ask(question: str) -> bool:
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def rm(args: argparse.Namespace) -> int:
    root = runs_root(args.runs_dir)
    runs = resolve_runs(root, args.runs)
    for run in runs:
        check_idle(run)
    if not args.yes:
        if not sys.stdin.isatty():
            raise AigcError(f"refusing to delete {len(runs)} run(s) without --yes: there is no terminal to ask")
        listed = ", ".join(f"{r.id} ({r.status().state.value}, {len(r.checkpoints())} checkpoints)" for r in runs)
        if not _ask(f"Delete {listed} for good?"):
            print("nothing deleted")
            return 1
    clean_tombstones(root)
    clean_half_made_runs(root)
    for run in runs:
        delete_run(run)
        print(f"deleted {run.id}")
    return 0


def archive(args: argparse.Namespace) -> int:
    root = runs_root(args.runs_dir)
    runs = resolve_runs(root, args.runs, archived=False)
    for run in runs:
        check_idle(run)
    for run in runs:
        archive_run(run)
        print(f"archived {run.id} (`aigc-tui unarchive {run.id}` brings it back)")
    return 0


def unarchive(args: argparse.Namespace) -> int:
    root = runs_root(args.runs_dir)
    runs = resolve_runs(root, args.runs, archived=True)
    clashes = [r.path.parent.parent / r.id for r in runs if (r.path.parent.parent / r.id).exists()]
    if clashes:
        raise AigcError(f"cannot unarchive {clashes[0].name}: {clashes[0]} already exists")
    for run in runs:
        unarchive_run(run)
        print(f"unarchived {run.id}")
    return 0


def _split_runs_dir(words: list[str], args: argparse.Namespace) -> list[str]:
    """Tag words may start with `-` (`-old`), so argparse hands them over raw; take out --runs-dir."""
    out: list[str] = []
    it = iter(words)
    for word in it:
        if word == "--runs-dir":
            args.runs_dir = next(it, None)
            if args.runs_dir is None:
                raise AigcError("--runs-dir needs a directory")
        elif word.startswith("--runs-dir="):
            args.runs_dir = word.split("=", 1)[1]
        elif word != "--":
            out.append(word)
    return out


def tag(args: argparse.Namespace) -> int:
    words = _split_runs_dir(list(args.tags), args)
    added, removed = parse_tag_changes(words)
    run = find_any(runs_root(getattr(args, "runs_dir", None)), args.run)
    notes = change_tags(run.path, added, removed)
    print(f"{run.id}: " + (" ".join(f"#{t}" for t in notes.tags) or "no tags"))
    return 0


def note(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    run = find_any(runs_root(args.runs_dir), args.run)
    notes = write_notes(run.path, note=text)
    print(f"{run.id}: " + (notes.note or "note cleared"))
    return 0


def diff(args: argparse.Namespace) -> int:
    root = runs_root(args.runs_dir)
    a, b = find_any(root, args.run_a), find_any(root, args.run_b)
    if a.path == b.path:
        raise AigcError(f"both names are run {a.id}: give two different runs")
    changes = diff_runs(a, b)
    if not changes:
        print(f"the configs of {a.id} and {b.id} are the same")
        return 0
    print(f"{a.id} → {b.id}: {len(changes)} key(s) differ")
    for change in changes:
        print(change.line())
    return 0

