"""The built-in labelled task: the standard library's docstrings, labelled by their top-level module.

Real text with real labels and no download: every module, class and function docstring of
40+ characters, read with `ast` from the stdlib source files of this Python, labelled by the
top-level module it comes from (`asyncio`, `email`, `logging`, ...). Only the larger modules
(at least MIN_PER_MODULE docstrings) take part, so every label has enough examples; a text
that occurs more than once is dropped, so no text carries two labels. Deterministic: the
same Python gives the same examples in the same order.
"""

from __future__ import annotations

import ast
import sysconfig
from collections import Counter
from functools import lru_cache
from pathlib import Path

MIN_CHARS = 40
MIN_PER_MODULE = 60
SKIPPED = {"test", "tests", "idlelib", "lib2to3", "site-packages", "tkinter", "turtledemo", "ensurepip", "pydoc_data"}
DOC_NODES = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _label(top: str) -> str:
    """`_pydecimal` is decimal's implementation, `_pyio` is io's: label them as users know them."""
    return top.removeprefix("_py").removeprefix("_") if top.startswith("_") else top


def _docstrings(path: Path) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
        return []
    docs = []
    for node in ast.walk(tree):
        if isinstance(node, DOC_NODES):
            doc = ast.get_docstring(node)
            if doc and len(doc) >= MIN_CHARS:
                docs.append(doc)
    return docs


@lru_cache(maxsize=1)
def stdlib_docstrings() -> tuple[tuple[str, str], ...]:
    """(text, label) pairs of the larger stdlib modules, in a fixed order."""
    root = Path(sysconfig.get_paths()["stdlib"])
    pairs: list[tuple[str, str]] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if SKIPPED & set(rel.parts) or rel.parts[0].removesuffix(".py") in SKIPPED:
            continue
        label = _label(rel.parts[0].removesuffix(".py"))
        pairs.extend((doc, label) for doc in _docstrings(path))
    seen = Counter(text for text, _ in pairs)
    pairs = [(t, lab) for t, lab in pairs if seen[t] == 1]
    sizes = Counter(lab for _, lab in pairs)
    return tuple((t, lab) for t, lab in pairs if sizes[lab] >= MIN_PER_MODULE)
