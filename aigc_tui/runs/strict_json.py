"""Strict JSON: NaN and infinities become the strings "nan", "inf", "-inf", never bare tokens.

`json.dumps` writes bare `NaN`/`Infinity` by default, which strict parsers (jq, JavaScript,
most other languages) refuse. Every JSON file the project writes goes through `dumps`.
"""

from __future__ import annotations

import json
import math
from typing import Any


def strict(obj: Any) -> Any:
    """A copy of `obj` with every non-finite float replaced by its string form."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, dict):
        return {k: strict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict(v) for v in obj]
    return obj


def dumps(obj: Any, **kwargs: Any) -> str:
    """`json.dumps` that never writes NaN/Infinity (raises if one slipped through)."""
    return json.dumps(strict(obj), allow_nan=False, **kwargs)


def as_float(value: Any) -> float | None:
    """A number as written by `dumps` (including "nan"/"inf"/"-inf"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    return None
