"""The app, the CLI's light commands and the run API never import torch (checked in a fresh process)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "torchvision")


def test_track_imports_neither_torch_nor_textual():
    code = "import sys, aigc_tui.track; print(','.join(m for m in ('torch', 'textual', 'PIL', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"aigc_tui.track pulled in {out.strip()}"


@pytest.mark.parametrize(
    "module",
    ["aigc_tui.cli", "aigc_tui.runs", "aigc_tui.config", "aigc_tui.launch", "aigc_tui.commands",
     "aigc_tui.ui.app", "aigc_tui.generate.client", "aigc_tui.track", "aigc_tui.launch.supervise"],
)
def test_module_imports_without_torch(module):
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"{module} pulled in {out.strip()}"


def test_runs_listing_stays_light(tmp_path):
    code = (
        "import sys; from aigc_tui.cli import main; main(['runs', '--runs-dir', sys.argv[1]]);"
        f"print('HEAVY', [m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_housekeeping_commands_import_neither_torch_nor_pydantic(tmp_path):
    code = (
        "import sys; from aigc_tui.cli import main; d = sys.argv[1];"
        "[main([*a, '--runs-dir', d]) for a in (['runs', '--all', '--tag', 'x'], ['rm', 'nope', '--yes'],"
        " ['archive', 'nope'], ['unarchive', 'nope'], ['note', 'nope', 'hi'], ['diff', 'a', 'b'], ['tag', 'nope', '+x'])];"
        f"print('HEAVY', [m for m in {(*HEAVY, 'pydantic')!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out
