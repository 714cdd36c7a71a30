"""Modules stay about nanoGPT's size (ARCHITECTURE.md): a reader holds one in their head."""

from __future__ import annotations

from pathlib import Path

import aigc_tui

LIMIT = 300


def test_no_app_module_is_over_the_line_limit():
    root = Path(aigc_tui.__file__).parent
    over = {str(p.relative_to(root)): n for p in root.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT}
    assert not over, f"over {LIMIT} lines (move a coherent piece into its own module): {over}"
