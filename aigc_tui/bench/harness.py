"""Interleaved A/B timing: blocks of steps alternate between the two sides, ratios per pair.

Each round times one block of each side, in alternating order (ABBA...), after one warm-up
block each; the reported ratio is the median of the per-round ratios, so a load change
during the run moves both sides of a pair alike. Never used in tests as a timing assertion.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from aigc_tui.errors import AigcError

Step = Callable[[], int]  # runs one training step, returns the items (images, tokens) it consumed


@dataclass
class Result:
    case: str
    unit: str
    ours: float  # median items/s
    reference: float
    ratio: float  # median of per-round ours/reference
    steps_per_block: int
    rounds: int
    reference_name: str
    ours_name: str = "aigc-tui"


def benchmarks_dir() -> Path:
    """The checkout's benchmarks/ folder (the reference loops are not part of the package)."""
    folder = Path(__file__).resolve().parents[2] / "benchmarks"
    if not folder.is_dir():
        raise AigcError("benchmarks/ (the reference loops) not found: run `aigc-tui bench` from a source checkout")
    return folder


def load_reference(name: str) -> ModuleType:
    """Import benchmarks/<name>.py by path."""
    path = benchmarks_dir() / f"{name}.py"
    module_name = f"aigc_bench_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise AigcError(f"cannot load the reference loop {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _block(step: Step, steps: int, sync: Callable[[], None]) -> float:
    sync()
    start = time.perf_counter()
    items = sum(step() for _ in range(steps))
    sync()
    return items / (time.perf_counter() - start)


def ab(ours: Step, reference: Step, steps: int, rounds: int, sync: Callable[[], None] = lambda: None) -> tuple[float, float, float]:
    """(ours items/s, reference items/s, median per-round ratio)."""
    _block(ours, steps, sync)
    _block(reference, steps, sync)
    mine, theirs = [], []
    for r in range(rounds):
        if r % 2 == 0:
            mine.append(_block(ours, steps, sync))
            theirs.append(_block(reference, steps, sync))
        else:
            theirs.append(_block(reference, steps, sync))
            mine.append(_block(ours, steps, sync))
    ratio = statistics.median(a / b for a, b in zip(mine, theirs, strict=True))
    return statistics.median(mine), statistics.median(theirs), ratio
