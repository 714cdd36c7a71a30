"""What a script run records about where it came from: command, cwd, git state, versions."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

KEY_PACKAGES = ("aigc-tui", "torch", "transformers", "accelerate", "datasets", "peft", "lightning",
                "numpy", "tokenizers", "safetensors")


def package_versions() -> dict[str, str]:
    """Versions of the key packages installed here, read from metadata (nothing is imported)."""
    found = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _git(cwd: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, timeout=10,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def git_state(cwd: Path) -> dict[str, Any]:
    """`git_commit` and `git_dirty` (tracked files changed) when cwd is inside a git work tree."""
    commit = _git(cwd, "rev-parse", "HEAD")
    if not commit:
        return {}
    dirty = _git(cwd, "status", "--porcelain", "--untracked-files=no")
    return {"git_commit": commit, "git_dirty": bool(dirty)}


def script_section(command: list[str], cwd: Path | None = None, **extra: Any) -> dict[str, Any]:
    """The `[script]` table of a script run's config.toml (no None values: TOML has none)."""
    cwd = Path(cwd or os.getcwd()).resolve()
    section: dict[str, Any] = {"command": [str(c) for c in command], "cwd": str(cwd), "python": sys.executable}
    section.update(git_state(cwd))
    section.update({k: v for k, v in extra.items() if v is not None})
    return section


def script_config_toml(name: str, section: dict[str, Any]) -> str:
    import tomli_w

    from aigc_tui.runs.script import SCRIPT_KIND

    return tomli_w.dumps({"kind": SCRIPT_KIND, "name": name, "script": section, "versions": package_versions()})
