"""CUDA-only bench figures: bf16 vs fp32, compile vs eager, fused vs foreach optimizers, the
cost of a per-step host sync, and the LM's MFU against the present GPU's peak."""

from __future__ import annotations

from typing import Any

from aigc_tui.bench.cases import LM, MLP_GAN, loop_step, trainer_for
from aigc_tui.bench.harness import ab

# Dense bf16 tensor-core peaks (no sparsity), by a substring of the device name.
PEAK_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "GH200": 989.0, "B200": 2250.0, "A100": 312.0,
                    "A10G": 125.0, "A10": 125.0, "L40S": 362.0, "L4": 121.0, "RTX 4090": 165.2, "RTX 3090": 71.0,
                    "V100": 125.0, "T4": 65.0}


def peak_tflops(name: str) -> float | None:
    for key, value in PEAK_BF16_TFLOPS.items():  # longer names first where they share a prefix
        if key in name:
            return value
    return None


def _rate_pair(recipe: tuple[str, list[str]], a: list[str], b: list[str], steps: int, rounds: int,
               tweak_b: Any = None, sync_each_b: bool = False) -> tuple[float, float, float]:
    """items/s of configuration b vs a (two trainers, interleaved)."""
    import torch

    with trainer_for(recipe[0], recipe[1] + a) as ta, trainer_for(recipe[0], recipe[1] + b) as tb:
        if tweak_b is not None:
            tweak_b(tb)
        step_a, step_b = loop_step(ta), loop_step(tb)
        if sync_each_b:
            inner = step_b

            def step_b() -> int:
                items = inner()
                torch.cuda.synchronize(tb.device)  # what a per-step loss.item() costs
                return items

        sync = lambda: torch.cuda.synchronize(ta.device)  # noqa: E731
        rate_b, rate_a, ratio = ab(step_b, step_a, steps, rounds, sync)
        return rate_b, rate_a, ratio


def _foreach(trainer: Any) -> None:
    """Rebuild the trainer's optimizers with foreach kernels instead of fused ones (no state yet)."""
    import torch

    if hasattr(trainer, "opt_g"):
        betas = (trainer.cfg.train.beta1, trainer.cfg.train.beta2)
        trainer.opt_g = torch.optim.Adam(trainer.generator.parameters(), lr=trainer.cfg.train.lr_g, betas=betas, foreach=True)
        trainer.opt_d = torch.optim.Adam(trainer.discriminator.parameters(), lr=trainer.cfg.train.lr_d, betas=betas, foreach=True)
    else:
        old = trainer.optimizer
        groups = [{k: v for k, v in g.items() if k not in ("fused", "foreach")} for g in old.param_groups]
        trainer.optimizer = torch.optim.AdamW(groups, foreach=True)


def lm_flops_per_token(model: Any, n_layer: int, n_head: int, n_embd: int, block: int) -> float:
    """nanoGPT's estimate (PaLM appendix B): 6N + 12·L·H·Q·T per token, N without position embeddings."""
    n = sum(p.numel() for p in model.parameters())
    wpe = getattr(getattr(model, "transformer", None), "wpe", None)
    if wpe is not None:
        n -= wpe.weight.numel()
    return 6 * n + 12 * n_layer * n_head * (n_embd // n_head) * block


def mfu(device: str, rounds: int, recipe: str = "lm_gpt_large_gpu.toml", steps: int = 10) -> dict[str, Any]:
    import torch

    name = torch.cuda.get_device_name(torch.device(device))
    with trainer_for(recipe, [f'run.device="{device}"']) as trainer:
        m = trainer.cfg.model
        step = loop_step(trainer)
        tokens_per_s, _, _ = ab(step, step, steps, rounds, lambda: torch.cuda.synchronize(trainer.device))
        flops = lm_flops_per_token(trainer.model, m.n_layer, m.n_head, m.n_embd, trainer.train_blocks.block)
    achieved = tokens_per_s * flops / 1e12
    peak = peak_tflops(name)
    return {"recipe": recipe, "gpu": name, "tokens_per_s": tokens_per_s, "achieved_tflops": achieved,
            "peak_bf16_tflops": peak, "mfu": achieved / peak if peak else None}


def cuda_extras(device: str, steps: int | None, rounds: int, only: set[str] | None = None) -> list[dict[str, Any]]:
    """[{what, family, a, b, ratio}] where ratio = b's items/s over a's; `only` keeps the families named."""
    dev = [f'run.device="{device}"']
    rows = []
    plans = [
        ("bf16 vs fp32", ['run.precision="fp32"'], ['run.precision="bf16"'], None, False),
        ("torch.compile vs eager (bf16)", ['run.precision="bf16"'], ['run.precision="bf16"', "run.compile=true"], None, False),
        ("foreach vs fused optimizers (bf16)", ['run.precision="bf16"'], ['run.precision="bf16"'], _foreach, False),
        ("per-step host sync vs none (bf16)", ['run.precision="bf16"'], ['run.precision="bf16"'], None, True),
    ]
    for family, recipe in (("gan-mlp", MLP_GAN), ("lm-gpt", LM)):
        if only and family not in only:
            continue
        n = steps or 20
        for what, a, b, tweak, sync_each in plans:
            rate_b, rate_a, ratio = _rate_pair(recipe, dev + a, dev + b, n, rounds, tweak, sync_each)
            rows.append({"what": what, "family": family, "a": rate_a, "b": rate_b, "ratio": ratio})
    return rows
