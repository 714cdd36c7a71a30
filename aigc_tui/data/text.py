"""Text corpora: built-in ones shipped with every Python (no download) and the user's files."""

from __future__ import annotations

import codecs
import json
import sysconfig
from pathlib import Path

from aigc_tui.errors import DataError as CorpusError

TEXT_SUFFIXES = {".txt", ".md", ".rst", ".py", ".json", ".jsonl", ".toml", ".yaml", ".yml", ".csv", ".html", ".tex", ".c", ".h", ".js", ".ts", ".rs", ".go", ".java", ".sh"}
DOC_SEPARATOR = "\n\n"



def python_docs() -> list[str]:
    """Python's own documentation topics (pydoc_data ships with CPython)."""
    from pydoc_data.topics import topics

    return [topics[k] for k in sorted(topics)]


def python_stdlib(max_files: int = 400) -> list[str]:
    """The standard library's own source, for a small code model."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.glob("*.py") if not p.name.startswith("_"))[:max_files]
    return [p.read_text(encoding="utf-8", errors="replace") for p in files]


def _read_file(path: Path) -> list[str]:
    if path.suffix == ".jsonl":
        docs = []
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise CorpusError(f"{path}:{n} is not valid JSON") from None
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise CorpusError(f"{path}:{n} has no string 'text' field")
            docs.append(record["text"])
        return docs
    return [path.read_text(encoding="utf-8", errors="replace")]


def user_text(path: Path) -> list[str]:
    if path.is_file():
        return _read_file(path)
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
    if not files:
        raise CorpusError(f"folder {path} holds no text files ({', '.join(sorted(TEXT_SUFFIXES))})")
    return [doc for f in files for doc in _read_file(f)]


PEEK_BYTES = 64 * 1024


def corpus_files(path: Path) -> list[Path]:
    """The files `text:PATH` reads: the file itself, or a folder's text files."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)


def corpus_problem(path: Path, min_bytes: int) -> str | None:
    """Why `text:PATH` cannot train, judged cheaply at launch (sizes and a peek at each file), or None.

    Tokens are never more than bytes, so fewer bytes than `min_bytes` is surely too small;
    NUL bytes or invalid UTF-8 in a file's first 64 KiB mean it is not text.
    """
    files = corpus_files(path)
    if not files:
        return f"folder {path} holds no text files ({', '.join(sorted(TEXT_SUFFIXES))})"
    total = 0
    for f in files[:1000]:
        try:
            size = f.stat().st_size
            with open(f, "rb") as handle:
                head = handle.read(PEEK_BYTES)
        except OSError as exc:
            return f"{f} cannot be read: {exc.strerror}"
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head, final=size <= PEEK_BYTES)
        except UnicodeDecodeError:
            return f"{f} is not UTF-8 text (a binary file?)"
        if b"\x00" in head:
            return f"{f} is not text: it holds NUL bytes (a binary file?)"
        total += size
    if total == 0 or (total <= PEEK_BYTES and not any(f.read_bytes().strip() for f in files)):
        return f"corpus {path} is empty"
    if total < min_bytes:
        return f"corpus {path} has {total} bytes; it needs at least {min_bytes} for this block size and val_fraction"
    return None


def load_documents(source: str, max_chars: int = 0) -> list[str]:
    if source == "builtin:python-docs":
        docs = python_docs()
    elif source == "builtin:python-stdlib":
        docs = python_stdlib()
    else:
        docs = user_text(Path(source.removeprefix("text:")).expanduser())
    docs = [d for d in docs if d.strip()]
    if max_chars:
        kept, total = [], 0
        for doc in docs:
            if total >= max_chars:
                break
            kept.append(doc[: max_chars - total])
            total += len(kept[-1])
        docs = kept
    if not docs:
        raise CorpusError(f"corpus {source} is empty")
    return docs
