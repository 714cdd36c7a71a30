"""Safe file names from names a user types (run ids, saved recipes); pure Python."""

from __future__ import annotations

import re


def slug(text: str, limit: int = 40, fallback: str = "run") -> str:
    """Letters, digits, `_`, `.`, `-` only; no leading dot or dash; never empty, `.` or `..`."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")[:limit].strip("-.") or fallback
