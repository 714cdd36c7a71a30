"""Sample grids from a GAN checkpoint: by seed, or an interpolation between two seeds."""

from __future__ import annotations

from pathlib import Path

import torch

from aigc_tui.config import GanConfig, config_from_toml
from aigc_tui.errors import ModelError
from aigc_tui.models.gan import build_generator, load_generator_weights
from aigc_tui.models.grid import save_grid
from aigc_tui.runs.layout import CHECKPOINT_CONFIG_FILE


def load_generator(checkpoint: Path, device: str = "cpu") -> tuple[torch.nn.Module, GanConfig]:
    recipe = Path(checkpoint) / CHECKPOINT_CONFIG_FILE
    if not recipe.is_file():
        raise ModelError(f"{checkpoint} has no {CHECKPOINT_CONFIG_FILE}: it was not written by aigc-tui, so its model is unknown")
    config = config_from_toml(recipe.read_text(encoding="utf-8"))
    if not isinstance(config, GanConfig):
        raise ModelError(f"{checkpoint} is a {config.kind} checkpoint, not a GAN; use `aigc-tui generate`")
    generator = build_generator(config)
    load_generator_weights(generator, checkpoint)
    return generator.to(device).eval(), config


def seeded_noise(latent_dim: int, n: int, seed: int) -> torch.Tensor:
    return torch.randn(n, latent_dim, generator=torch.Generator().manual_seed(seed))


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation: stays on the shell where Gaussian noise lives."""
    a_n, b_n = a / a.norm(), b / b.norm()
    omega = torch.acos((a_n * b_n).sum().clamp(-1 + 1e-7, 1 - 1e-7))
    so = torch.sin(omega)
    return (torch.sin((1 - t) * omega) / so)[:, None] * a + (torch.sin(t * omega) / so)[:, None] * b


@torch.no_grad()
def sample_grid(checkpoint: Path, out: Path, n: int = 64, seed: int = 0, device: str = "cpu") -> Path:
    generator, config = load_generator(checkpoint, device)
    z = seeded_noise(config.model.latent_dim, n, seed).to(device)
    return save_grid(generator(z), out)


@torch.no_grad()
def interpolation_grid(
    checkpoint: Path, out: Path, seed_a: int, seed_b: int, steps: int = 8, device: str = "cpu"
) -> Path:
    generator, config = load_generator(checkpoint, device)
    a = seeded_noise(config.model.latent_dim, 1, seed_a)[0]
    b = seeded_noise(config.model.latent_dim, 1, seed_b)[0]
    z = slerp(a, b, torch.linspace(0, 1, steps)).to(device)
    return save_grid(generator(z), out, nrow=steps)
