"""`aigc-tui --version`: what a bug report needs (tester6 G23: it was 'unrecognized')."""

from __future__ import annotations

import sys

import pytest

from aigc_tui import __version__
from aigc_tui.cli import main


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_names_aigc_tui_python_and_torch(flag, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([flag])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"aigc-tui {__version__} (python {sys.version.split()[0]}, ")
    assert "torch" in out and len(out.splitlines()) == 1
