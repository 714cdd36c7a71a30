"""`aigc-tui sweep CONFIG --set k=v1,v2 ...`: one detached run per combination, fed through the queue.

The runs share a sweep group (`run.sweep`, with the varied keys in `run.sweep_keys`), so the
app groups them, overlays their curves and ranks them. On the CPU `--parallel K` is the number
of slots they queue for; with GPUs each run queues for its `--gpus` (default any:1).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
import tomllib

from aigc_tui.commands.train_cmd import cuda_count, recipe_path
from aigc_tui.config import RecipeConfig, load_recipe
from aigc_tui.config.environment import check_environment
from aigc_tui.errors import ConfigError
from aigc_tui.launch import new_run, spawn_worker
from aigc_tui.launch.pretrained import resolve_pretrained
from aigc_tui.paths import runs_root
from aigc_tui.runs.queue import request_for, visible_gpus

MAX_RUNS = 256


def split_values(raw: str) -> list[str]:
    """`1e-4,2e-4` -> ['1e-4', '2e-4']; commas inside [..], {..} or quotes stay (TOML lists, strings)."""
    out, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(raw):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(raw[start:i].strip())
            start = i + 1
    out.append(raw[start:].strip())
    return [v for v in out if v]


def sweep_axes(overrides: list[str], notes: list[str] | None = None) -> list[tuple[str, list[str]]]:
    """Each key once with its distinct values: a key given twice is refused (which values would
    win?), a value given twice is dropped with a note (it would only start an identical run)."""
    axes: dict[str, list[str]] = {}
    for text in overrides:
        key, sep, raw = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--set '{text}' is not key=v1,v2,... (e.g. --set train.lr=1e-4,2e-4)")
        values = split_values(raw)
        if not values:
            raise ConfigError(f"--set '{text}' has no values")
        if key in axes:
            raise ConfigError(f"{key} is given twice (--set {key}={','.join(axes[key])} and --set {text}); "
                              f"give it once with all its values: --set {key}={','.join(axes[key] + values)}")
        seen: set[object] = set()
        kept = [v for v in values if not (_same(v) in seen or seen.add(_same(v)))]
        if len(kept) < len(values):
            (notes if notes is not None else []).append(f"{key}: repeated values dropped ({','.join(values)} -> {','.join(kept)})")
        axes[key] = kept
    return list(axes.items())


def _same(value: str) -> object:
    """What a value means, so 1e-4 and 0.0001 count as one (TOML's reading, else the text)."""
    try:
        return repr(tomllib.loads(f"v = {value}")["v"])
    except tomllib.TOMLDecodeError:
        return value


def label(config: RecipeConfig) -> str:
    """`lr=0.0001 batch_size=32`: a sweep run's values of the keys its sweep varies."""
    data = config.model_dump(mode="json")
    parts = []
    for key in config.run.sweep_keys:
        node = data
        for part in key.split("."):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        parts.append(f"{key.rsplit('.', 1)[-1]}={node}")
    return " ".join(parts)


def sweep(args: argparse.Namespace) -> int:
    notes: list[str] = []
    axes = sweep_axes(args.overrides, notes)
    if not any(len(values) > 1 for _, values in axes):
        raise ConfigError("a sweep needs at least one key with two or more values (e.g. --set train.lr=1e-4,2e-4)")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    combos = list(itertools.product(*[[f"{k}={v}" for v in values] for k, values in axes]))
    if len(combos) > MAX_RUNS:
        raise ConfigError(f"the sweep has {len(combos)} combinations; at most {MAX_RUNS}")
    if args.parallel < 1:
        raise ConfigError(f"--parallel {args.parallel}: give 1 or more")
    base = load_recipe(recipe_path(args.config), [f"run.device={json.dumps(args.device, ensure_ascii=False)}"] if args.device else [])
    name = args.name or base.name
    group = f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    keys = [k for k, values in axes if len(values) > 1]  # a one-value --set is a plain override
    common = [f"name={json.dumps(name, ensure_ascii=False)}", f"run.sweep={json.dumps(group, ensure_ascii=False)}", f"run.sweep_keys={json.dumps(keys, ensure_ascii=False)}"]
    if args.device:
        common.append(f"run.device={json.dumps(args.device, ensure_ascii=False)}")
    gpus = args.gpus or ("any:1" if base.run.device not in ("cpu", "mps") and visible_gpus() else "")
    common.append(f"run.gpus={json.dumps(gpus, ensure_ascii=False)}" if gpus else f"run.slots={args.parallel}")
    configs = [load_recipe(recipe_path(args.config), [*common, *combo]) for combo in combos]  # all valid before any run
    request_for(configs[0].run.gpus, configs[0].run.nproc, configs[0].run.slots)
    root = runs_root(args.runs_dir)
    for config in configs:  # a run name as model.pretrained: its newest checkpoint now, one parent for the sweep
        resolve_pretrained(config, root)
    check_environment(configs[0], cuda_count)  # data and device, before any run exists
    print(f"sweep {group}: {len(configs)} runs" + (f", {args.parallel} at a time" if not gpus else f", gpus {gpus} each"))
    for config in configs:
        run = new_run(root, config, cuda_count)
        pid = spawn_worker(run, new=True)
        print(f"  {run.id}  {label(config)}  (pid {pid})")
    return 0
