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


@pytest.fixture(autouse=True)
def toasts_stay_while_tests_look(monkeypatch):
    """Information toasts stay 5 s in tests, not the app's 3 s: tests that read a toast after a wait
    on a loaded CI box were tuned to 5 s (test_all_day checks the shipped value)."""
    from aigc_tui.ui import app

    monkeypatch.setattr(app, "INFO_TOAST_S", 5.0)
