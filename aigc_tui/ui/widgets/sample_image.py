"""A sample grid shown in the terminal: Kitty/Sixel where supported, half-blocks elsewhere.

`AIGC_TUI_IMAGE=halfcell` forces half-blocks (snapshot tests, odd terminals).
"""

from __future__ import annotations

import os

from textual_image.widget import HalfcellImage
from textual_image.widget import Image as AutoImage

SampleImage = HalfcellImage if os.environ.get("AIGC_TUI_IMAGE") == "halfcell" else AutoImage

__all__ = ["SampleImage"]
