"""The GAN recipe: image data, generator/discriminator design, losses and optimizer."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from aigc_tui.config.common import LOOP_METRICS, RunSection, StrictModel, check_name
from aigc_tui.paths import datasets_dir

TORCHVISION_SETS = {
    # name: (folder torchvision expects under root, channels, native size)
    "mnist": ("MNIST/raw", 1, 28),
    "fashion-mnist": ("FashionMNIST/raw", 1, 28),
    "cifar10": ("cifar-10-batches-py", 3, 32),
}
IMAGE_SOURCES = "builtin:digits, mnist, fashion-mnist, cifar10 or imagefolder:PATH"


class ImageDataSection(StrictModel):
    source: str = "builtin:digits"
    """builtin:digits (no download), mnist, fashion-mnist, cifar10, or imagefolder:PATH."""
    root: str = Field(default_factory=lambda: str(datasets_dir()))
    """Where torchvision data sets live (mnist, fashion-mnist, cifar10); by default
    $AIGC_TUI_HOME/cache/datasets when AIGC_TUI_HOME is set, else ~/.cache/aigc-tui/datasets."""
    download: bool = False
    """Let torchvision download a missing data set into root."""
    image_size: int = Field(28, ge=8, le=256)
    """Images are resized to image_size x image_size."""
    channels: int | None = Field(None, ge=1, le=4)
    """1 (grey) or 3 (colour); empty: the data set's own."""
    limit: int = Field(0, ge=0)
    """Use at most this many images (0: all)."""

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if value == "builtin:digits" or value in TORCHVISION_SETS:
            return value
        if value.startswith("imagefolder:") and value.removeprefix("imagefolder:").strip():
            return value  # whether the folder exists is checked at launch (config.environment)
        raise ValueError(f"unknown data source '{value}'; use {IMAGE_SOURCES}")

    def resolved_channels(self) -> int:
        if self.channels:
            return self.channels
        if self.source in TORCHVISION_SETS:
            return TORCHVISION_SETS[self.source][1]
        return 1 if self.source == "builtin:digits" else 3


class GanModelSection(StrictModel):
    arch: Literal["mlp", "dcgan"] = "mlp"
    """mlp: the original fully connected GAN; dcgan: convolutional (32 or 64 px)."""
    latent_dim: int = Field(100, ge=1, le=4096)
    """Size of the noise vector z."""
    g_hidden: list[int] = Field(default_factory=lambda: [256, 512, 1024])
    """mlp generator hidden widths."""
    d_hidden: list[int] = Field(default_factory=lambda: [512, 256])
    """mlp discriminator hidden widths."""
    g_batchnorm: bool = True
    """mlp generator: BatchNorm after each hidden layer (same shape, much faster to learn)."""
    d_dropout: float = Field(0.3, ge=0, lt=1)
    """mlp discriminator dropout after each hidden layer (keeps a small data set from being memorised)."""
    g_features: int = Field(64, ge=4, le=1024)
    """dcgan generator base width (ngf)."""
    d_features: int = Field(64, ge=4, le=1024)
    """dcgan discriminator base width (ndf)."""

    @field_validator("g_hidden", "d_hidden")
    @classmethod
    def _widths(cls, value: list[int]) -> list[int]:
        if not value or any(w < 1 or w > 65536 for w in value):
            raise ValueError("hidden widths must be a non-empty list of sizes from 1 to 65536")
        return value


class GanTrainSection(StrictModel):
    batch_size: int = Field(64, ge=1, le=65536)
    loss: Literal["bce", "hinge", "wgan-gp"] = "bce"
    """bce (non-saturating), hinge or wgan-gp."""
    lr_g: float = Field(2e-4, gt=0, le=1)
    lr_d: float = Field(2e-4, gt=0, le=1)
    beta1: float = Field(0.5, ge=0, lt=1)
    beta2: float = Field(0.999, ge=0, lt=1)
    n_critic: int = Field(1, ge=1, le=100)
    """Discriminator updates per generator update (5 is usual for wgan-gp)."""
    gp_weight: float = Field(10.0, ge=0)
    """Gradient penalty weight for wgan-gp."""
    sample_count: int = Field(64, ge=1, le=1024)
    """Images in each fixed-noise sample grid."""
    nonfinite_patience: int = Field(20, ge=1, le=1_000_000)
    """Steps in a row with a NaN/inf loss (each one skipped) before the run ends failed as diverged."""


class GanConfig(StrictModel):
    logged_metrics: ClassVar[tuple[str, ...]] = ("loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g",
                                                 "nonfinite", "lr_g", "lr_d", "images_per_s", *LOOP_METRICS)
    kind: Literal["gan"] = "gan"
    name: str = "gan"
    description: str = ""
    run: RunSection = Field(default_factory=RunSection)
    data: ImageDataSection = Field(default_factory=ImageDataSection)
    model: GanModelSection = Field(default_factory=GanModelSection)
    train: GanTrainSection = Field(default_factory=GanTrainSection)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value)

    @model_validator(mode="after")
    def _consistent(self) -> GanConfig:
        if self.model.arch == "dcgan" and self.data.image_size not in (32, 64):
            raise ValueError(
                f"model.arch = 'dcgan' needs data.image_size 32 or 64, not {self.data.image_size}"
            )
        return self

    @property
    def throughput_unit(self) -> str:
        return "images/s"
