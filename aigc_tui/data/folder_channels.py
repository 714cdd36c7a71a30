"""How many channels an image folder's images have, read from the images (PIL only, no torch).

An image folder recipe with `data.channels` empty means "the data set's own": greyscale
images (L, 1, LA, I, F, P with a grey palette is treated as colour) train a 1-channel GAN,
anything else 3. Read once at launch, so the run's config.toml states the number.
"""

from __future__ import annotations

from pathlib import Path

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
GREY_MODES = {"1", "L", "LA", "I", "I;16", "F"}
SAMPLE = 32  # images looked at: a folder mixing modes is colour if any of these is


def folder_channels(folder: Path, suffixes: set[str] = IMAGE_SUFFIXES) -> int | None:
    """1 when the sampled images are all greyscale, 3 otherwise; None if none could be read."""
    from PIL import Image, UnidentifiedImageError

    seen = 0
    for path in sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in suffixes):
        try:
            with Image.open(path) as img:
                mode = img.mode
        except (UnidentifiedImageError, OSError):
            continue
        if mode not in GREY_MODES:
            return 3
        seen += 1
        if seen >= SAMPLE:
            break
    return 1 if seen else None
