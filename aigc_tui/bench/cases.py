"""The bench cases: each builds the trainer from a shipped recipe and a reference loop on the
trainer's own model objects and data, then times them interleaved (harness.ab)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aigc_tui.bench.harness import Result, Step, ab, load_reference
from aigc_tui.config import dump_toml, load_recipe
from aigc_tui.paths import sample_configs_dir
from aigc_tui.runs import MetricsWriter, create_run

MLP_GAN = ("gan_mlp_digits.toml", ["model.g_batchnorm=false", "model.d_dropout=0.0", "train.batch_size=64"])
DCGAN = ("gan_dcgan_digits.toml", ["train.batch_size=64", 'train.loss="bce"'])
LM = ("lm_gpt_python_docs.toml", [])


@contextmanager
def trainer_for(recipe: str, overrides: list[str]) -> Iterator[Any]:
    """A family trainer built exactly as a worker builds it, in a throwaway run directory."""
    from aigc_tui.models.quiet import quiet_libraries
    from aigc_tui.train.worker import build_trainer

    quiet_libraries()
    config = load_recipe(sample_configs_dir() / recipe, [*overrides, "run.steps=100000000"])
    with tempfile.TemporaryDirectory(prefix="aigc-bench-") as tmp:
        run = create_run(Path(tmp) / "runs", dump_toml(config), "bench")
        trainer = build_trainer(run, lambda _message: None)
        trainer.bench_writer = MetricsWriter(run.path)
        try:
            yield trainer
        finally:
            trainer.bench_writer.close()


def loop_step(trainer: Any) -> Step:
    """What the worker's loop does per step: the step, and on log steps one read + one write."""
    log_every = trainer.config.run.log_every

    def step() -> int:
        items = trainer.train_step()
        trainer.step += 1
        if trainer.step % log_every == 0:
            trainer.bench_writer.write(trainer.step, trainer.read_metrics())
        return items

    return step


def _sync(trainer: Any) -> Callable[[], None]:
    import torch

    return (lambda: torch.cuda.synchronize(trainer.device)) if trainer.device.type == "cuda" else (lambda: None)


def gan_case(name: str, recipe: tuple[str, list[str]], base: list[str], steps: int | None, rounds: int) -> Result:
    with trainer_for(recipe[0], base + recipe[1]) as trainer:
        cfg = trainer.cfg
        ref = load_reference("gan_loop").make_step(trainer.generator, trainer.discriminator, trainer.sampler.images,
                                                   cfg.train.batch_size, cfg.model.latent_dim, cfg.train.lr_d)
        n = steps or cfg.run.log_every
        ours, theirs, ratio = ab(loop_step(trainer), ref, n, rounds, _sync(trainer))
        return Result(name, "images/s", ours, theirs, ratio, n, rounds, "benchmarks/gan_loop.py (pytorch/examples dcgan)")


def lm_case(base: list[str], steps: int | None, rounds: int) -> Result:
    with trainer_for(LM[0], base + LM[1]) as trainer:
        t = trainer.cfg.train
        ref = load_reference("lm_loop").make_step(trainer.model, trainer.train_blocks.tokens, t.batch_size,
                                                  trainer.train_blocks.block, trainer.device, t.lr,
                                                  trainer.place.dtype, t.grad_clip)
        n = steps or trainer.cfg.run.log_every
        ours, theirs, ratio = ab(loop_step(trainer), ref, n, rounds, _sync(trainer))
        return Result("lm-gpt (4x128, block 128, batch 16)", "tokens/s", ours, theirs, ratio, n, rounds,
                      "benchmarks/lm_loop.py (nanoGPT train.py)")


def lm_model_case(base: list[str], steps: int | None, rounds: int) -> Result:
    """The model alone: our GPT-2 (transformers) vs nanoGPT's GPT, same config, same loop."""
    import torch

    with trainer_for(LM[0], base + LM[1]) as trainer:
        t, m = trainer.cfg.train, trainer.cfg.model
        block = trainer.train_blocks.block
        nano = load_reference("nanogpt_model").GPT(
            vocab_size=trainer.model.config.vocab_size, block_size=block, n_layer=m.n_layer, n_head=m.n_head,
            n_embd=m.n_embd, dropout=m.dropout).to(trainer.device)
        loop = load_reference("lm_loop")
        args = (trainer.train_blocks.tokens, t.batch_size, block, trainer.device, t.lr, trainer.place.dtype, t.grad_clip)
        ours_step = loop.make_step(trainer.model, *args)
        nano_step = loop.make_step(nano, *args)
        n = steps or trainer.cfg.run.log_every
        torch.manual_seed(0)
        ours, theirs, ratio = ab(ours_step, nano_step, n, rounds, _sync(trainer))
        return Result("lm model: transformers GPT-2 vs nanoGPT GPT", "tokens/s", ours, theirs, ratio, n, rounds,
                      "benchmarks/nanogpt_model.py (nanoGPT model.py)", "our model")


def training_cases(device: str, steps: int | None, rounds: int, only: set[str] | None = None) -> list[Callable[[], Result]]:
    """The cases by short name; `only` keeps those named."""
    base = [f'run.device="{device}"', 'run.precision="fp32"', "run.compile=false"]
    cases = {
        "gan-mlp": lambda: gan_case("gan-mlp (original design, batch 64)", MLP_GAN, base, steps, rounds),
        "dcgan": lambda: gan_case("dcgan (32 px, batch 64)", DCGAN, base, steps and max(1, steps // 5), rounds),
        "lm-gpt": lambda: lm_case(base, steps and max(1, steps // 5), rounds),
    }
    return [make for name, make in cases.items() if not only or name in only]
