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

import numpy as np
import torch
from PIL import Image

from photoguard.metrics import crop, face_region_box
from photoguard.types import Face
from photoguard.visibility.model import DISPLAYS, jod_of_dkl, reduce, to_dkl

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
        ref, test = to_dkl(_tensor(original), screen), to_dkl(_tensor(changed), screen)
        for _ in range(skip):
            ref, test = reduce(ref), reduce(test)
        return round(float(jod_of_dkl(test, ref, screen.ppd, skip=skip)[0]), 4)


def face_jod(original: np.ndarray, changed: np.ndarray, face: Face, display: str = "4k") -> float:
    """JOD of one face region (box + 20 %) of ``changed`` against ``original`` at 100 % on ``display``."""
    box = face_region_box(face, original.shape)
    return region_jod(crop(original, box), crop(changed, box), display)


def phone_jod(original: np.ndarray, changed: np.ndarray, face: Face | None = None) -> float:
    """JOD on a phone showing both photos :data:`PHONE_WIDTH` px wide (Lanczos; narrower photos as
    they are): of the face region when ``face`` is given, else of the whole photo."""
    scale = min(1.0, PHONE_WIDTH / original.shape[1])
    if scale < 1.0:
        size = (PHONE_WIDTH, round(original.shape[0] * scale))
        original, changed = (
            np.asarray(Image.fromarray(x).resize(size, Image.Resampling.LANCZOS)) for x in (original, changed)
        )
    if face is None:
        return region_jod(original, changed, "phone")
    shown = Face(box=tuple(v * scale for v in face.box), landmarks=face.landmarks * scale, score=face.score)  # type: ignore[arg-type]
    return face_jod(original, changed, shown, "phone")


def photo_jod(original: np.ndarray, changed: np.ndarray, display: str = "4k") -> float:
    """JOD of the whole photo at 100 % on ``display``."""
    return region_jod(original, changed, display)
