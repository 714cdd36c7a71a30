"""Generators and discriminators. D always returns logits; sigmoids live in the losses."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from aigc_tui.config.gan import GanConfig
from aigc_tui.errors import ModelError
from aigc_tui.runs.layout import WEIGHTS_FILE


class MlpGenerator(nn.Module):
    """The original design: z (100) -> 256 -> 512 -> 1024 -> C*H*W, ReLU, Tanh."""

    def __init__(self, latent_dim: int, hidden: list[int], shape: tuple[int, int, int], batch_norm: bool = False) -> None:
        super().__init__()
        self.shape = shape
        layers: list[nn.Module] = []
        width = latent_dim
        for h in hidden:
            layers.append(nn.Linear(width, h))
            if batch_norm:
                layers.append(nn.BatchNorm1d(h))
            layers.append(nn.ReLU(inplace=True))
            width = h
        layers += [nn.Linear(width, math.prod(shape)), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.flatten(1)).view(-1, *self.shape)


class MlpDiscriminator(nn.Module):
    """The original design: C*H*W -> 512 -> 256 -> 1, LeakyReLU 0.2 (the Sigmoid moved into the loss)."""

    def __init__(self, hidden: list[int], shape: tuple[int, int, int], dropout: float = 0.0) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = math.prod(shape)
        for h in hidden:
            layers += [nn.Linear(width, h), nn.LeakyReLU(0.2, inplace=True)]
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = h
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(1)).view(-1)


class DcganGenerator(nn.Module):
    """pytorch/examples DCGAN generator, for 32 or 64 px: ConvTranspose + BatchNorm + ReLU."""

    def __init__(self, latent_dim: int, features: int, channels: int, size: int) -> None:
        super().__init__()
        ups = int(math.log2(size // 4))  # 32 px: 3 upsamplings after the 4x4 seed, 64 px: 4
        width = features * 2 ** (ups - 1)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(latent_dim, width, 4, 1, 0, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(True),
        ]
        for _ in range(ups - 1):
            layers += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width // 2), nn.ReLU(True)]
            width //= 2
        layers += [nn.ConvTranspose2d(width, channels, 4, 2, 1, bias=False), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.view(z.shape[0], -1, 1, 1))


class DcganDiscriminator(nn.Module):
    """pytorch/examples DCGAN discriminator; no BatchNorm under wgan-gp (the penalty is per sample)."""

    def __init__(self, features: int, channels: int, size: int, batch_norm: bool) -> None:
        super().__init__()
        downs = int(math.log2(size // 4))
        layers: list[nn.Module] = [nn.Conv2d(channels, features, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True)]
        width = features
        for _ in range(downs - 1):
            layers.append(nn.Conv2d(width, width * 2, 4, 2, 1, bias=False))
            if batch_norm:
                layers.append(nn.BatchNorm2d(width * 2))
            layers.append(nn.LeakyReLU(0.2, True))
            width *= 2
        layers.append(nn.Conv2d(width, 1, 4, 1, 0, bias=False))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).view(-1)


def dcgan_init(module: nn.Module) -> None:
    """Weights N(0, 0.02), BatchNorm N(1, 0.02) and zero bias, as in the DCGAN paper."""
    name = type(module).__name__
    if "Conv" in name:
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif "BatchNorm" in name:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def build_models(config: GanConfig) -> tuple[nn.Module, nn.Module]:
    m, d = config.model, config.data
    shape = (d.resolved_channels(), d.image_size, d.image_size)
    if m.arch == "mlp":
        return MlpGenerator(m.latent_dim, m.g_hidden, shape, m.g_batchnorm), MlpDiscriminator(m.d_hidden, shape, m.d_dropout)
    gen = DcganGenerator(m.latent_dim, m.g_features, shape[0], d.image_size)
    disc = DcganDiscriminator(m.d_features, shape[0], d.image_size, batch_norm=config.train.loss != "wgan-gp")
    gen.apply(dcgan_init)
    disc.apply(dcgan_init)
    return gen, disc


def build_generator(config: GanConfig) -> nn.Module:
    return build_models(config)[0]


def split_state(state: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    gen = {k.removeprefix("generator."): v for k, v in state.items() if k.startswith("generator.")}
    disc = {k.removeprefix("discriminator."): v for k, v in state.items() if k.startswith("discriminator.")}
    return gen, disc


def load_generator_weights(generator: torch.nn.Module, folder: Path) -> None:
    path = Path(folder) / WEIGHTS_FILE
    try:
        gen_state, _ = split_state(load_file(str(path)))
        generator.load_state_dict(gen_state)
    except (OSError, RuntimeError, ValueError, SafetensorError) as exc:
        raise ModelError(f"{path} is not readable GAN weights for this recipe: {str(exc).splitlines()[0][:200]}") from None
