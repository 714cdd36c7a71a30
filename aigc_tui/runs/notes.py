"""A run's tags and note: `notes.json` in the run directory, the user's (never the worker's).

Written atomically under a small lock, so the app and `aigc-tui tag` changing the same run at
once both land and a reader never sees half a file. A missing or unreadable file reads as no
tags and no note: the run itself never depends on it.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aigc_tui.errors import AigcError
from aigc_tui.runs.atomic import atomic_write_json
from aigc_tui.runs.layout import NOTES_FILE

NOTES_LOCK_FILE = ".notes.lock"
MAX_TAG = 32
MAX_NOTE = 2000


@dataclass
class Notes:
    tags: list[str] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict[str, object]:
        return {"tags": self.tags, "note": self.note}


def read_notes(run_dir: Path) -> Notes:
    try:
        data = json.loads((Path(run_dir) / NOTES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Notes()
    if not isinstance(data, dict):
        return Notes()
    tags = data.get("tags")
    tags = [str(t) for t in tags if isinstance(t, str) and t] if isinstance(tags, list) else []
    note = data.get("note")
    return Notes(tags, note if isinstance(note, str) else "")


def check_tag(tag: str, removing: bool = False) -> str:
    """A tag as stored: one word, printable, at most 32 characters, not beginning with '-', '+'
    or '#'; else a one-line error. Tags are shown as `#best`, so a leading '#' typed with one is
    dropped. Removing checks only that a word is given: a tag stored before these rules (`-z`)
    can still be removed (`aigc-tui tag RUN --z`)."""
    tag = tag.removeprefix("#")
    if not tag:
        raise AigcError("empty tag: give a word, e.g. `+best` to add it or `-best` to remove it")
    if removing:
        return tag
    if len(tag) > MAX_TAG or not tag.isprintable() or any(c.isspace() or c == "," for c in tag):
        raise AigcError(f"tag {tag!r} is not one word of at most {MAX_TAG} printable characters (no spaces or commas)")
    if tag[0] in "-+#":
        raise AigcError(f"tag {tag!r} begins with {tag[0]!r}: begin it with a letter or digit (`-` removes a tag)")
    return tag


def parse_tag_changes(words: Iterable[str]) -> tuple[list[str], list[str]]:
    """`+best -old new` -> (added, removed); a bare word adds. Every word is checked first."""
    added: list[str] = []
    removed: list[str] = []
    for word in words:
        if word.startswith("-"):
            removed.append(check_tag(word[1:], removing=True))
        else:
            added.append(check_tag(word.removeprefix("+")))
    if not added and not removed:
        raise AigcError("no tags given: e.g. `aigc-tui tag RUN +best -old`")
    return added, removed


def parse_tag_list(text: str) -> list[str]:
    """The tags of the app's tag field: words separated by spaces or commas, duplicates dropped."""
    tags: list[str] = []
    for word in text.replace(",", " ").split():
        tag = check_tag(word.removeprefix("+"))
        if tag not in tags:
            tags.append(tag)
    return tags


def check_note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise AigcError(f"the note is {len(note)} characters; keep it under {MAX_NOTE}")
    if any(not c.isprintable() and c not in "\n\t" for c in note):
        raise AigcError("the note holds control characters; give plain text")
    return note


@contextmanager
def notes_lock(run_dir: Path) -> Iterator[None]:
    """Serialises notes.json writers (the app, `tag`, `note`); the worker's cleanup takes it too."""
    fd = os.open(Path(run_dir) / NOTES_LOCK_FILE, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write_notes(run_dir: Path, tags: list[str] | None = None, note: str | None = None) -> Notes:
    """Set the tags and/or the note (None keeps what is there); returns what was stored."""
    tags = None if tags is None else [check_tag(t) for t in dict.fromkeys(tags)]
    note = None if note is None else check_note(note)
    with notes_lock(run_dir):
        notes = read_notes(run_dir)
        if tags is not None:
            notes.tags = tags
        if note is not None:
            notes.note = note
        atomic_write_json(Path(run_dir) / NOTES_FILE, notes.to_json())
    return notes


def change_tags(run_dir: Path, added: list[str], removed: list[str]) -> Notes:
    """Add and remove tags in one locked read-change-write (two writers at once both land)."""
    with notes_lock(run_dir):
        notes = read_notes(run_dir)
        tags = [t for t in notes.tags if t not in removed]
        notes.tags = tags + [t for t in dict.fromkeys(added) if t not in tags]
        atomic_write_json(Path(run_dir) / NOTES_FILE, notes.to_json())
    return notes
