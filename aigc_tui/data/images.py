"""Image data as one uint8 tensor [N, C, H, W] held on the training device.

Every supported set fits in memory (digits, MNIST, CIFAR-10, a folder up to `data.limit`),
and batches then cost an index, not a DataLoader round trip.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from aigc_tui.config.gan import ImageDataSection
from aigc_tui.data.folder_channels import IMAGE_SUFFIXES  # one list, torch-free
from aigc_tui.errors import DataError


def _resize_uint8(images: torch.Tensor, size: int) -> torch.Tensor:
    """[N, C, H, W] uint8 -> [N, C, size, size] uint8 (antialiased when shrinking)."""
    if images.shape[-1] == size and images.shape[-2] == size:
        return images
    out = F.interpolate(images.float(), size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    return out.round().clamp(0, 255).to(torch.uint8)


def _set_channels(images: torch.Tensor, channels: int) -> torch.Tensor:
    have = images.shape[1]
    if have == channels:
        return images
    if channels == 1:
        return images.float().mean(1, keepdim=True).round().to(torch.uint8)
    if have == 1:
        return images.expand(-1, channels, -1, -1).contiguous()
    return images[:, :channels]


def builtin_digits() -> torch.Tensor:
    """scikit-learn's 1,797 handwritten 8x8 digits (shipped with the package, no download)."""
    from sklearn.datasets import load_digits

    pixels = load_digits().images  # float 0..16, (N, 8, 8)
    images = torch.from_numpy((pixels * (255.0 / 16.0)).round().astype(np.uint8))
    return images.unsqueeze(1)


def torchvision_set(name: str, root: Path, download: bool) -> torch.Tensor:
    from torchvision import datasets

    cls = {"mnist": datasets.MNIST, "fashion-mnist": datasets.FashionMNIST, "cifar10": datasets.CIFAR10}[name]
    try:
        ds = cls(root=str(root), train=True, download=download)
    except RuntimeError as exc:
        raise DataError(
            f"{name} could not be loaded from {root}: {exc}. Set data.download = true to fetch it"
        ) from None
    data = ds.data
    tensor = torch.as_tensor(np.asarray(data))
    if tensor.ndim == 3:  # MNIST: (N, H, W)
        return tensor.unsqueeze(1).to(torch.uint8)
    return tensor.permute(0, 3, 1, 2).contiguous().to(torch.uint8)  # CIFAR: (N, H, W, C)


def image_folder(folder: Path, size: int, channels: int, limit: int, skipped: list[str] | None = None) -> torch.Tensor:
    """The folder's images; each unreadable one is skipped, named in `skipped` with why (tester7 H9)."""
    from PIL import Image, UnidentifiedImageError

    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if limit:
        files = files[:limit]
    if not files:
        raise DataError(f"image folder {folder} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    mode = "L" if channels == 1 else "RGB"
    arrays = []
    for path in files:
        try:
            with Image.open(path) as img:
                img = img.convert(mode).resize((size, size), Image.Resampling.BICUBIC)
                arrays.append(np.asarray(img, dtype=np.uint8).reshape(size, size, -1))
        except (UnidentifiedImageError, OSError) as exc:  # an unreadable file is skipped, not fatal
            why = ("not an image" if isinstance(exc, UnidentifiedImageError)
                   else exc.strerror or str(exc).split("(")[0].strip())
            if skipped is not None:
                skipped.append(f"{path.relative_to(folder)}: {why or type(exc).__name__}")
    if not arrays:
        raise DataError(f"no image in {folder} could be read")
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()


def skipped_note(skipped: list[str]) -> str:
    """` (2 skipped: a.png: image file is truncated, b.jpg: not an image)` for the data line; "" when none."""
    if not skipped:
        return ""
    more = f", and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    return f" ({len(skipped)} skipped: {', '.join(skipped[:3])}{more})"


def load_images(section: ImageDataSection, skipped: list[str] | None = None) -> torch.Tensor:
    """The configured data set as uint8 [N, C, size, size]; an image folder's unreadable files go in `skipped`."""
    channels = section.resolved_channels()
    if section.source == "builtin:digits":
        images = builtin_digits()
    elif section.source.startswith("imagefolder:"):
        folder = Path(section.source.removeprefix("imagefolder:")).expanduser()
        return image_folder(folder, section.image_size, channels, section.limit, skipped)
    else:
        images = torchvision_set(section.source, Path(section.root).expanduser(), section.download)
    if section.limit:
        images = images[: section.limit]
    return _set_channels(_resize_uint8(images, section.image_size), channels)


FLOAT_COPY_LIMIT = 2 << 30  # bytes: data sets up to this are converted to floats once


class BatchSampler:
    """Batches in a seeded order that depends only on the batch number: resume is exact, free.

    The images are converted to floats in [-1, 1] once when that copy fits in
    FLOAT_COPY_LIMIT, so a batch is one index; larger sets convert per batch.
    """

    def __init__(self, images: torch.Tensor, batch_size: int, seed: int) -> None:
        if images.dtype == torch.uint8 and images.numel() * 4 <= FLOAT_COPY_LIMIT:
            images = images.float().div_(127.5).sub_(1.0)
        self.images = images
        self.n = images.shape[0]
        self.batch_size = min(batch_size, self.n)
        self.per_epoch = self.n // self.batch_size
        self.seed = seed
        self._epoch = -1
        self._perm: torch.Tensor | None = None

    def batch(self, index: int, rank: int = 0, world: int = 1) -> torch.Tensor:
        """Rank `rank`'s slice of global batch number `index`, as floats in [-1, 1] on the images' device.

        The global batch depends on the index alone, so any world size sees the same data order.
        """
        epoch, pos = divmod(index, self.per_epoch)
        if epoch != self._epoch:
            gen = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            self._perm = torch.randperm(self.n, generator=gen).to(self.images.device)
            self._epoch = epoch
        assert self._perm is not None
        idx = self._perm[pos * self.batch_size : (pos + 1) * self.batch_size]
        if world > 1:
            per = self.batch_size // world
            idx = idx[rank * per : (rank + 1) * per]
        batch = self.images[idx]
        return batch if batch.is_floating_point() else batch.float().div_(127.5).sub_(1.0)
