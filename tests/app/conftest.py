"""App test fixtures: fixture runs, half-cell images, UTC times, no cursor blink."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_runs import make_fixture_runs


@pytest.fixture
def fixture_runs(tmp_path: Path) -> Path:
    return make_fixture_runs(tmp_path / "fixture-runs")


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "cursor_blink", False, raising=False)
    monkeypatch.setattr(TextArea, "cursor_blink", False, raising=False)
