"""Save a batch of generated images as one PNG grid."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from aigc_tui.runs.atomic import atomic_write_bytes


def grid_image(images: torch.Tensor, nrow: int | None = None, pad: int = 2, min_cell: int = 28) -> Image.Image:
    """images in [-1, 1], [N, C, H, W] -> a PIL image, cells upscaled to at least `min_cell` px."""
    from torchvision.utils import make_grid

    images = images.detach().float().cpu().clamp(-1, 1).add(1).div(2)
    if images.shape[-1] < min_cell:
        scale = math.ceil(min_cell / images.shape[-1])
        images = torch.nn.functional.interpolate(images, scale_factor=scale, mode="nearest")
    nrow = nrow or max(1, math.ceil(math.sqrt(images.shape[0])))
    grid = make_grid(images, nrow=nrow, padding=pad, pad_value=0.15)
    array = (grid.mul(255).round().clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy())
    if array.shape[2] == 1:
        array = array[:, :, 0]
    return Image.fromarray(np.ascontiguousarray(array))


def save_grid(images: torch.Tensor, path: Path, nrow: int | None = None) -> Path:
    """Write atomically: the app may be showing the previous grid of the same name."""
    import io

    buf = io.BytesIO()
    grid_image(images, nrow).save(buf, format="PNG")
    atomic_write_bytes(Path(path), buf.getvalue())
    return Path(path)
