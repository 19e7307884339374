"""Browser-displayable previews: PNG files of the whole photo (downscaled) and of a face zoom.

Previews are only for looking; the download is always the file the library wrote.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

#: Longest side of the whole-photo preview, pixels.
PREVIEW_SIDE = 1280
#: Shortest side of the face zoom, pixels (small faces are enlarged so the change can be seen).
ZOOM_SIDE = 384


def downscaled(rgb: np.ndarray, side: int = PREVIEW_SIDE) -> Image.Image:
    """``H x W x 3`` uint8 RGB -> a PIL image whose longest side is at most ``side``."""
    im = Image.fromarray(rgb)
    scale = side / max(im.size)
    if scale < 1:
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.LANCZOS)
    return im


def face_window(box: tuple[float, float, float, float], shape: tuple[int, ...], margin: float = 0.35) -> tuple[int, int, int, int]:
    """A square window around a face box, ``margin`` of its side added on each side, clipped to the image.

    Returns:
        ``(x0, y0, x1, y1)`` integer pixel bounds with ``x1 > x0`` and ``y1 > y0``.
    """
    height, width = shape[:2]
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = max(x1 - x0, y1 - y0) * (0.5 + margin)
    left, top = max(0, int(cx - half)), max(0, int(cy - half))
    right, bottom = min(width, int(np.ceil(cx + half))), min(height, int(np.ceil(cy + half)))
    return left, top, max(right, left + 1), max(bottom, top + 1)


def zoom(rgb: np.ndarray, window: tuple[int, int, int, int], side: int = ZOOM_SIDE) -> Image.Image:
    """Crop ``window`` and enlarge it so its shortest side is at least ``side`` (never shrinks)."""
    x0, y0, x1, y1 = window
    im = Image.fromarray(np.ascontiguousarray(rgb[y0:y1, x0:x1]))
    scale = side / min(im.size)
    if scale > 1:
        im = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
    return im


def save_png(im: Image.Image, path: Path) -> str:
    """Write a preview PNG (fast compression) and return its path as a string."""
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, "PNG", compress_level=1)
    return str(path)


def write_previews(
    before: np.ndarray, after: np.ndarray, box: tuple[float, float, float, float] | None, folder: Path
) -> tuple[tuple[str, str], tuple[str, str] | None]:
    """Write before/after previews (and a face zoom pair when ``box`` is given) into ``folder``.

    Returns:
        ``((before.png, after.png), (face_before.png, face_after.png) or None)``.
    """
    whole = (save_png(downscaled(before), folder / "before.png"), save_png(downscaled(after), folder / "after.png"))
    if box is None:
        return whole, None
    window = face_window(box, before.shape)
    face = (save_png(zoom(before, window), folder / "face_before.png"), save_png(zoom(after, window), folder / "face_after.png"))
    return whole, face
