"""Why the transformers GPT-2 trailed nanoGPT's GPT at the same config: time and profile both.

    python benchmarks/lm_model_profile.py [--reps 20] [--profile]

One forward + backward of a batch (16 x 128 tokens, 4 layers x 128, vocab 4096) for: GPT-2
with its default `gelu_new`, GPT-2 as aigc-tui builds it (`gelu_pytorch_tanh`, sdpa), and
nanoGPT's GPT; interleaved, medians. `--profile` prints torch.profiler's top operators.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
V, T, B, L, H, C = 4096, 128, 16, 4, 4, 128


def gpt2(activation: str) -> torch.nn.Module:
    from transformers import AutoModelForCausalLM, GPT2Config

    cfg = GPT2Config(vocab_size=V, n_positions=T, n_embd=C, n_layer=L, n_head=H, resid_pdrop=0.0, embd_pdrop=0.0,
                     attn_pdrop=0.0, activation_function=activation, bos_token_id=0, eos_token_id=0)
    return AutoModelForCausalLM.from_config(cfg, attn_implementation="sdpa")


def step(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> None:
    out = model(x)
    logits = getattr(out, "logits", out)
    F.cross_entropy(logits.view(-1, V), y.view(-1)).backward()
    model.zero_grad(set_to_none=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    from nanogpt_model import GPT

    torch.manual_seed(0)
    models = {"gpt2 gelu_new (transformers default)": gpt2("gelu_new"),
              "gpt2 gelu_pytorch_tanh + sdpa (aigc-tui)": gpt2("gelu_pytorch_tanh"),
              "nanoGPT GPT": GPT(V, T, L, H, C)}
    x, y = torch.randint(0, V, (B, T)), torch.randint(0, V, (B, T))
    times: dict[str, list[float]] = {k: [] for k in models}
    for m in models.values():
        step(m, x, y)
    for _ in range(args.reps):
        for name, m in models.items():
            start = time.perf_counter()
            step(m, x, y)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["nanoGPT GPT"])
    print(f"threads {torch.get_num_threads()}; forward+backward, batch {B}x{T}, median of {args.reps}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:<42} {med * 1e3:7.1f} ms   x{base / med:.2f} of nanoGPT's speed")
    if args.profile:
        from torch.profiler import ProfilerActivity, profile

        for name in ("gpt2 gelu_pytorch_tanh + sdpa (aigc-tui)", "nanoGPT GPT"):
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                for _ in range(3):
                    step(models[name], x, y)
            print(f"\n{name}")
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))


if __name__ == "__main__":
    main()
