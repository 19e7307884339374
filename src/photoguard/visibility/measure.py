"""How visible a cloak is, measured on whole photos: the face region at 100 % and on a phone.

:func:`face_jod` is the number the product reports and its presets are cut by: ColorVideoVDP's
JOD (:mod:`photoguard.visibility.model`) of a face region (the face box plus 20 % on each side,
:func:`photoguard.metrics.face_region_box`) of the changed photo against the original, both shown
at 100 % on a 30-inch 4K monitor seen from 0.75 m. :func:`phone_jod` shows both photos scaled to
1080 px wide on a phone (a feed); :func:`photo_jod` pools over the whole photo.

Large regions are measured on a level of the model's own pyramid: the light of both images is
reduced ``skip`` times by the pyramid's kernel and the model runs on the bands from level ``skip``
down, at the frequencies they have in the full image, so only the ``skip`` finest bands (detail
finer than 2 ** (skip + 1) pixels, where a cloak computed on a 224 px face has nothing but
rounding and JPEG noise) are left out. :data:`MAX_SIDE` sets where that starts; the error it
makes on cloaked selfies is measured in ``tests/test_visibility.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from PIL import Image

from photoguard.metrics import crop, face_region_box
from photoguard.types import Face
from photoguard.visibility.model import DISPLAYS, jod_of_dkl, reduce_in_bands, to_dkl

#: Regions whose shorter side is longer than this are measured on a reduced pyramid level.
MAX_SIDE = 768
#: The width a phone shows a photo at in a feed (the photo scaled to it).
PHONE_WIDTH = 1080


def _tensor(rgb: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(rgb, dtype=np.float32)).permute(2, 0, 1)[None].div_(255.0)


def region_jod(original: np.ndarray, changed: np.ndarray, display: str = "4k", *, max_side: int = MAX_SIDE) -> float:
    """JOD of ``changed`` against ``original`` (``h x w x 3`` uint8 RGB, the same shape) shown at
    100 % on ``display`` (a key of :data:`~photoguard.visibility.model.DISPLAYS`).

    Example:
        >>> flat = np.full((64, 64, 3), 128, np.uint8)
        >>> region_jod(flat, flat)
        10.0
    """
    if original.shape != changed.shape:
        raise ValueError(f"the two images differ in shape: {original.shape} and {changed.shape}")
    screen = DISPLAYS[display]
    skip = max(0, math.ceil(math.log2(min(original.shape[:2]) / max_side))) if min(original.shape[:2]) > max_side else 0
    with torch.no_grad():
        if skip == 0:
            ref, test = to_dkl(_tensor(original), screen), to_dkl(_tensor(changed), screen)
        else:  # the full-size light only a band of rows at a time, one image after the other: a
            # close-up's region is never held at full size, nor both images at level 1
            ref, test = (_reduced_light(rgb, display, skip) for rgb in (original, changed))
        return round(float(jod_of_dkl(test, ref, screen.ppd, skip=skip)[0]), 4)


def _reduced_light(rgb: np.ndarray, display: str, levels: int = 1) -> torch.Tensor:
    """The display's DKL light of ``rgb``, ``levels`` pyramid levels down, each made a band of rows
    at a time."""
    screen = DISPLAYS[display]

    def rows(r0: int, r1: int) -> torch.Tensor:
        return to_dkl(_tensor(rgb[r0:r1]), screen)

    light = reduce_in_bands(rows, rgb.shape[0])
    for _ in range(levels - 1):  # the next levels in bands too (the same numbers as reduce)
        light = reduce_in_bands(_rows_of(light), light.shape[-2])
    return light


def _rows_of(level: torch.Tensor) -> Callable[[int, int], torch.Tensor]:
    return lambda r0, r1: level[..., r0:r1, :]


def face_jod(original: np.ndarray, changed: np.ndarray, face: Face, display: str = "4k") -> float:
    """JOD of one face region (box + 20 %) of ``changed`` against ``original`` at 100 % on ``display``."""
    box = face_region_box(face, original.shape)
    return region_jod(crop(original, box), crop(changed, box), display)


def phone_jod(original: np.ndarray, changed: np.ndarray, face: Face | None = None) -> float:
    """JOD on a phone showing both photos :data:`PHONE_WIDTH` px wide (Lanczos; narrower photos as
    they are): of the face region when ``face`` is given, else of the whole photo.

    For a face only the region is resampled, on the very sampling grid of the whole photo's resize
    (:func:`shown_on_phone`), so the cost follows the face, not the photo.
    """
    if face is None:
        return region_jod(shown_on_phone(original), shown_on_phone(changed), "phone")
    box = phone_face_box(face, original.shape)
    return region_jod(shown_on_phone(original, box), shown_on_phone(changed, box), "phone")


def phone_face_box(face: Face, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The face region (box + 20 %) in the pixels of the photo as a phone shows it."""
    height, width = shape[:2]
    scale = min(1.0, PHONE_WIDTH / width)
    shown = Face(box=tuple(v * scale for v in face.box), landmarks=face.landmarks * scale, score=face.score)  # type: ignore[arg-type]
    return face_region_box(shown, (round(height * scale), round(width * scale)) if scale < 1.0 else (height, width))


def phone_source_box(box: tuple[int, int, int, int], shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The photo pixels a phone's region ``box`` is resampled from (Lanczos support included)."""
    height, width = shape[:2]
    if width <= PHONE_WIDTH:
        return box
    sx, sy = width / PHONE_WIDTH, height / round(height * PHONE_WIDTH / width)
    pad = 3 * max(sx, sy) + 2  # the Lanczos kernel reaches 3 output pixels either side
    x0, y0, x1, y1 = box
    return (
        max(0, math.floor(x0 * sx - pad)),
        max(0, math.floor(y0 * sy - pad)),
        min(width, math.ceil(x1 * sx + pad)),
        min(height, math.ceil(y1 * sy + pad)),
    )


def shown_on_phone(
    rgb: np.ndarray,
    box: tuple[int, int, int, int] | None = None,
    *,
    photo_shape: tuple[int, ...] | None = None,
    origin: tuple[int, int] = (0, 0),
) -> np.ndarray:
    """The photo as a phone shows it, :data:`PHONE_WIDTH` px wide (Lanczos; narrower photos as they
    are), or only the region ``box`` (``x0, y0, x1, y1`` in the shown photo's pixels) of it.

    ``rgb`` may be a part of the photo (at least :func:`phone_source_box` of ``box``), whose top-left
    corner is ``origin`` in a photo of ``photo_shape``: the region comes out as from the whole photo.
    """
    height, width = (photo_shape or rgb.shape)[:2]
    scale = min(1.0, PHONE_WIDTH / width)
    if scale == 1.0:
        if box is None:
            return rgb
        x0, y0, x1, y1 = box
        return rgb[y0 - origin[1] : y1 - origin[1], x0 - origin[0] : x1 - origin[0]]
    shown_height = round(height * scale)
    x0, y0, x1, y1 = box or (0, 0, PHONE_WIDTH, shown_height)
    sx, sy = width / PHONE_WIDTH, height / shown_height  # what PIL's whole-photo resize uses
    source = (x0 * sx - origin[0], y0 * sy - origin[1], x1 * sx - origin[0], y1 * sy - origin[1])
    return np.asarray(Image.fromarray(rgb).resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS, box=source))


def photo_jod(original: np.ndarray, changed: np.ndarray, display: str = "4k") -> float:
    """JOD of the whole photo at 100 % on ``display``."""
    return region_jod(original, changed, display)
