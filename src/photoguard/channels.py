"""What a platform does to a posted photo, as one table shared by ``photoguard verify`` and the
protection benchmark: a long-side resize (Lanczos) and a JPEG re-encode with Pillow's defaults
(4:2:0 chroma), the way upload pipelines recompress.

Example:
    >>> import numpy as np
    >>> posted(np.zeros((2000, 1000, 3), np.uint8), "1080 + q80").shape
    (1080, 540, 3)
"""

from __future__ import annotations

import io
from typing import NamedTuple

import numpy as np
from PIL import Image


class Channel(NamedTuple):
    """A platform's treatment: JPEG quality (None: the file as written) and long side (None: kept)."""

    quality: int | None
    long_side: int | None


#: The channels, by name, mildest first.
CHANNELS: dict[str, Channel] = {
    "as written": Channel(None, None),
    "JPEG q75": Channel(75, None),
    "1280 + q87": Channel(87, 1280),
    "1080 + q80": Channel(80, 1080),
}

#: The recompression ``photoguard verify`` reports next to the file as written.
VERIFY_CHANNEL = "JPEG q75"


def posted(rgb: np.ndarray, name: str) -> np.ndarray:
    """``H x W x 3`` uint8 RGB as it comes back from channel ``name`` of :data:`CHANNELS`."""
    quality, side = CHANNELS[name]
    if quality is None:
        return rgb
    im = Image.fromarray(rgb)
    if side and max(im.size) > side:
        s = side / max(im.size)
        im = im.resize((round(im.width * s), round(im.height * s)), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))
