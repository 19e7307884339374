"""Browser-displayable previews, written readable by this user only (0600 files, 0700 folders):
a small thumbnail of each photo chosen and, for every face, the original and protected crops at
100 % (one image pixel per CSS pixel) with their difference made visible.

Previews are only for looking; the download is always the file the library wrote.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from photoguard.app.workspace import private_file

#: Longest side of a chosen photo's thumbnail, pixels (shown at half that: sharp on a phone).
THUMB_SIDE = 192
#: Longest side of a face crop shown at 100 %, pixels (a larger face is cut around its centre).
CROP_SIDE = 1200
#: The difference view shows ``(protected - original) * DIFF_GAIN + 128``: grey where unchanged.
DIFF_GAIN = 8

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class FaceCrops:
    """One face at 100 %: PNG paths of the original, the protected crop and their difference.

    Attributes:
        index: the face's index in :attr:`ProtectResult.faces` (0 is the largest).
        original, protected, diff: the PNG files.
        size: ``(width, height)`` of each crop, pixels.
        centre: the face box's centre in the crop, pixels (not the crop's centre where the photo's
            edge cut the window); None: the crop's centre.
    """

    index: int
    original: str
    protected: str
    diff: str
    size: tuple[int, int]
    centre_px: tuple[float, float] | None = None

    @property
    def centre(self) -> tuple[float, float]:
        """Where the face's centre is in the crop, pixels."""
        return self.centre_px if self.centre_px is not None else (self.size[0] / 2, self.size[1] / 2)


def thumbnail(src: str | Path, dst: Path, *, max_pixels: int, side: int = THUMB_SIDE) -> str | None:
    """A small PNG of the photo ``src`` as a person sees it (orientation applied), or None when it
    cannot be made (not an image, larger than ``max_pixels``, damaged): the name is shown alone then.

    JPEGs are decoded at a reduced size (Pillow's draft mode), so a 12 MP photo costs milliseconds.
    """
    from PIL import ImageOps, UnidentifiedImageError

    from photoguard.imageio import register_heif

    register_heif()
    try:
        with Image.open(src) as im:
            if im.width * im.height > max_pixels:
                return None
            im.draft("RGB", (side * 2, side * 2))
            small = ImageOps.exif_transpose(im.convert("RGB"))
            small.thumbnail((side, side), Image.Resampling.LANCZOS)
            return save_png(small, dst)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        return None


def face_window(
    box: Box, shape: tuple[int, ...], margin: float = 0.35, max_side: int | None = None
) -> tuple[int, int, int, int]:
    """A square window around a face box, ``margin`` of its side added on each side, at most
    ``max_side`` wide and high (around the face's centre), clipped to the image.

    Returns:
        ``(x0, y0, x1, y1)`` integer pixel bounds with ``x1 > x0`` and ``y1 > y0``.
    """
    height, width = shape[:2]
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = max(x1 - x0, y1 - y0) * (0.5 + margin)
    if max_side is not None:
        half = min(half, max_side / 2)
    left, top = max(0, int(cx - half)), max(0, int(cy - half))
    right, bottom = min(width, int(np.ceil(cx + half))), min(height, int(np.ceil(cy + half)))
    return left, top, max(right, left + 1), max(bottom, top + 1)


def difference(before: np.ndarray, after: np.ndarray, gain: int = DIFF_GAIN) -> np.ndarray:
    """``(after - before) * gain + 128``, clipped to uint8: mid-grey where nothing changed."""
    delta = after.astype(np.int16) - before.astype(np.int16)
    return np.clip(delta * gain + 128, 0, 255).astype(np.uint8)


def save_png(im: Image.Image, path: Path) -> str:
    """Write a preview PNG (fast compression, mode 0600) and return its path as a string."""
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=1)
    return str(private_file(path, buf.getvalue()))


def write_previews(
    before: np.ndarray, after: np.ndarray, boxes: Sequence[tuple[int, Box]], folder: Path
) -> list[FaceCrops]:
    """Write, for each ``(face index, box)``, the 100 % crops of ``before`` and ``after`` into ``folder``."""
    faces = []
    for index, box in boxes:
        x0, y0, x1, y1 = face_window(box, before.shape, max_side=CROP_SIDE)
        a, b = before[y0:y1, x0:x1], after[y0:y1, x0:x1]
        stem = folder / f"face{index + 1}"
        faces.append(
            FaceCrops(
                index=index,
                original=save_png(
                    Image.fromarray(np.ascontiguousarray(a)), stem.with_name(f"{stem.name}_original.png")
                ),
                protected=save_png(
                    Image.fromarray(np.ascontiguousarray(b)), stem.with_name(f"{stem.name}_protected.png")
                ),
                diff=save_png(Image.fromarray(difference(a, b)), stem.with_name(f"{stem.name}_difference.png")),
                size=(x1 - x0, y1 - y0),
                centre_px=((box[0] + box[2]) / 2 - x0, (box[1] + box[3]) / 2 - y0),
            )
        )
    return faces
