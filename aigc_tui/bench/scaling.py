"""`aigc-tui bench --nproc N`: scaling efficiency = N-process throughput / (N × one-process throughput).

Both runs train the same recipe through the real launch path (the agent, torchrun for N > 1)
in one invocation, one after the other, each process on one thread (CPU) or one GPU. The
throughput is the global figure the run itself logs, taken after its first log interval.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aigc_tui.config import dump_toml, load_recipe
from aigc_tui.paths import sample_configs_dir
from aigc_tui.runs import create_run
from aigc_tui.runs.layout import METRICS_FILE

RECIPES = {"gan-mlp": "gan_mlp_digits.toml", "lm-gpt": "lm_gpt_python_docs.toml"}
UNIT = {"gan-mlp": "images_per_s", "lm-gpt": "tokens_per_s"}


@dataclass
class Scaling:
    case: str
    nproc: int
    one: float
    many: float
    unit: str

    @property
    def efficiency(self) -> float:
        return self.many / (self.nproc * self.one) if self.one else float("nan")


def _throughput(root: Path, case: str, device: str, nproc: int, steps: int) -> float:
    overrides = [f"run.steps={steps}", f"run.log_every={max(1, steps // 5)}", "run.checkpoint_every=0",
                 "run.sample_every=0", f'run.device="{"cpu" if device == "cpu" else "cuda"}"', 'run.precision="fp32"']
    overrides.append(f'run.gpus="any:{nproc}"' if device.startswith("cuda") else f"run.nproc={nproc}")
    config = load_recipe(sample_configs_dir() / RECIPES[case], overrides)
    run = create_run(root, dump_toml(config), f"bench-{case}-{nproc}")
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    done = subprocess.run([sys.executable, "-m", "aigc_tui.train.worker", str(run.path)], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{case} on {nproc} process(es) failed: {run.status().error or done.stderr[-500:]}")
    rows = [json.loads(line) for line in (run.path / METRICS_FILE).read_text().splitlines()]
    values = [r[UNIT[case]] for r in rows[1:] if isinstance(r.get(UNIT[case]), (int, float))]  # after warm-up
    return statistics.median(values) if values else float("nan")


def scaling(device: str, nproc: int, steps: int | None, only: set[str]) -> list[Scaling]:
    out = []
    with tempfile.TemporaryDirectory(prefix="aigc-bench-scale-") as home:
        for case in RECIPES:
            if only and case not in only:
                continue
            n = steps or (300 if case == "gan-mlp" else 100)
            one = _throughput(Path(home), case, device, 1, n)
            many = _throughput(Path(home), case, device, nproc, n)
            out.append(Scaling(case, nproc, one, many, UNIT[case].replace("_per_s", "/s")))
    return out


def print_scaling(results: list[Scaling], device: str) -> None:
    nproc = results[0].nproc if results else 0
    print(f"scaling on {device}: {nproc} processes vs 1 (one thread or GPU each), same global batch")
    print(f"{'case':<12}{'1 process':>19}{f'{nproc} processes':>19}{'efficiency':>12}")
    for r in results:
        print(f"{r.case:<12}{r.one:>9,.0f} {r.unit:<9}{r.many:>9,.0f} {r.unit:<9}{r.efficiency:>12.0%}")
    print("efficiency = N-process throughput / (N x one-process throughput)")
