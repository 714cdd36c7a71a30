"""`aigc-tui bench`: each training loop against a minimal hand-written loop (benchmarks/),
interleaved A/B in one run, printed side by side with the ratio; `--json` for machines.

Benchmarks, never timed assertions in tests. On CUDA it also reports bf16 vs fp32, compile
vs eager, fused vs foreach optimizers, the per-step sync penalty and the LM's MFU.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict

from aigc_tui.errors import AigcError

# The names `--only` takes: the training cases (aigc_tui.bench.cases) and "model", the
# transformers-vs-nanoGPT model comparison. Without --only every part runs.
CASES = ("gan-mlp", "dcgan", "lm-gpt", "model")


def bench(args: argparse.Namespace) -> int:
    if args.steps is not None and args.steps < 1:
        raise AigcError(f"--steps {args.steps}: measure at least 1 step")
    if args.rounds < 1:
        raise AigcError(f"--rounds {args.rounds}: give at least 1 round")
    if args.nproc < 1:
        raise AigcError(f"--nproc {args.nproc}: give at least 1 process (1 compares the loops, N > 1 measures scaling)")
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    if unknown := sorted(only - set(CASES)):
        raise AigcError(f"--only {','.join(unknown)}: no such bench case (cases: {', '.join(CASES)})")
    import torch

    from aigc_tui.bench.cases import lm_model_case, training_cases
    from aigc_tui.models.device import resolve_device

    resolve_device(args.device)  # a bad or missing device is one line, before any work

    device = "cuda" if args.device == "auto" and torch.cuda.is_available() else args.device
    device = "cpu" if device == "auto" else device
    if args.nproc > 1:  # scaling efficiency instead of the loop comparison
        from aigc_tui.bench.scaling import print_scaling, scaling

        results = scaling(device, args.nproc, args.steps, only)
        if args.json:
            print(json.dumps([{**asdict(r), "efficiency": r.efficiency} for r in results], indent=2))
        else:
            print_scaling(results, device)
        return 0
    steps, rounds = args.steps, args.rounds
    report: dict = {"device": device, "torch_threads": torch.get_num_threads(), "load_avg": list(os.getloadavg()),
                    "rounds": rounds, "cases": [], "models": [], "cuda": None}
    if not args.json:
        print(f"device {device}, {torch.get_num_threads()} threads, load {report['load_avg'][0]:.2f}; "
              f"interleaved A/B, {rounds} rounds, ratio = median of per-round ratios")
        print(f"\n{'case':<44}{'aigc-tui':>{FIGURE}}{'reference':>{FIGURE}}{'ratio':>8}   reference loop")
    for make in training_cases(device, steps, rounds, only):
        r = make()
        report["cases"].append({**asdict(r), "aigc_tui": r.ours, "ratio_vs_reference": r.ratio})
        if not args.json:
            print(f"{r.case:<44}{r.ours:>10,.0f} {_short(r.unit)}{r.reference:>10,.0f} {_short(r.unit)}"
                  f"{r.ratio:>7.2f}x   {r.reference_name}")
    if not args.skip_model and (not only or "model" in only):
        r = lm_model_case([f'run.device="{device}"', 'run.precision="fp32"'], steps and max(1, steps // 5), rounds)
        report["models"].append({**asdict(r), "ratio_vs_nanogpt": r.ratio})
        if not args.json:
            print(f"\n{r.case:<44}{r.ours:>10,.0f} {_short(r.unit)}{r.reference:>10,.0f} {_short(r.unit)}"
                  f"{r.ratio:>7.2f}x   (both in benchmarks/lm_loop.py)")
    if device.startswith("cuda"):
        from aigc_tui.bench.gpu import cuda_extras, mfu

        report["cuda"] = {"extras": cuda_extras(device, steps, rounds, only),
                          "mfu": mfu(device, rounds) if not only or "lm-gpt" in only else None}
        if not args.json:
            print("\nCUDA: ratio = second / first")
            for row in report["cuda"]["extras"]:
                print(f"  {row['family']:<8} {row['what']:<40}{row['ratio']:>7.2f}x")
            if (m := report["cuda"]["mfu"]) is not None:
                share = f"{m['mfu']:.1%} of {m['peak_bf16_tflops']:.0f}" if m["mfu"] is not None else "peak unknown"
                print(f"  {m['recipe']}: {m['tokens_per_s']:,.0f} tokens/s, {m['achieved_tflops']:.1f} TFLOPS ({share}) "
                      f"on {m['gpu']}")
    elif not args.json:
        print("\n(no CUDA device: bf16/compile/fused/sync/MFU figures are measured on GPUs only)")
    if args.json:
        print(json.dumps(report, indent=2))
    return 0


FIGURE = 16  # a figure's column: f"{value:>10,.0f} {unit}" with a 5-letter unit


def _short(unit: str) -> str:
    return {"images/s": "img/s", "tokens/s": "tok/s"}.get(unit, unit)
