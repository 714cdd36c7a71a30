"""`aigc-tui bench`: throughput ratios measured in one run, never timed assertions in tests.

Each case trains the default recipe for `--steps` steps after a warm-up and reports items/s;
ratios are against the first case of each family, on the same machine in the same process.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aigc_tui.config import dump_toml, load_recipe
from aigc_tui.paths import sample_configs_dir
from aigc_tui.runs import create_run

WARMUP = 10


def _throughput(recipe: str, overrides: list[str], steps: int, per_step: Callable | None = None) -> float:
    from aigc_tui.models.quiet import quiet_libraries
    from aigc_tui.train.worker import build_trainer

    quiet_libraries()
    config = load_recipe(sample_configs_dir() / recipe, overrides)
    with tempfile.TemporaryDirectory() as home:
        os.environ["AIGC_TUI_HOME"] = home
        run = create_run(Path(home) / "runs", dump_toml(config), "bench")
        trainer = build_trainer(run, lambda _m: None)
        for _ in range(WARMUP):
            trainer.train_step()
            trainer.step += 1
        trainer.read_metrics()
        items = 0
        start = time.perf_counter()
        for _ in range(steps):
            items += trainer.train_step()
            trainer.step += 1
            if per_step is not None:
                per_step(trainer)
        trainer.read_metrics()  # the one sync: all queued work is done before the clock stops
        return items / (time.perf_counter() - start)


def bench(args: argparse.Namespace) -> int:
    import torch

    device = "cuda" if args.device == "auto" and torch.cuda.is_available() else args.device
    device = "cpu" if device == "auto" else device
    cuda = device.startswith("cuda")
    base = [f'run.device="{device}"']
    sync_each_step = lambda t: t.acc.tolist()  # noqa: E731 - what a per-step loss.item() costs
    families = {
        "gan (mlp, digits) images/s": ("gan_mlp_digits.toml", [
            ("device-side metrics, fp32", ['run.precision="fp32"'], None),
            ("per-step host sync, fp32", ['run.precision="fp32"'], sync_each_step),
            ("bf16 autocast", ['run.precision="bf16"'], None),
        ] + ([("bf16 + torch.compile", ['run.precision="bf16"', "run.compile=true"], None)] if cuda else [])),
        "lm (gpt, python-docs) tokens/s": ("lm_gpt_python_docs.toml", [
            ("fp32", ['run.precision="fp32"'], None),
            ("per-step host sync, fp32", ['run.precision="fp32"'], sync_each_step),
            ("bf16 autocast", ['run.precision="bf16"'], None),
        ] + ([("bf16 + torch.compile", ['run.precision="bf16"', "run.compile=true"], None)] if cuda else [])),
    }
    print(f"device {device}, {args.steps} steps per case after {WARMUP} warm-up steps")
    for family, (recipe, cases) in families.items():
        print(f"\n{family}")
        baseline = None
        for label, overrides, hook in cases:
            rate = _throughput(recipe, base + overrides, args.steps, hook)
            baseline = baseline or rate
            print(f"  {label:<28} {rate:>12,.0f}   x{rate / baseline:.2f}")
    return 0
