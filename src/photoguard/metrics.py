"""Image-quality metrics: PSNR and SSIM over the whole photo or the face region.

All functions take ``H x W x 3`` uint8 RGB arrays of the same shape.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from photoguard.types import Face


def psnr(a: np.ndarray, b: np.ndarray, *, rows_per_chunk: int = 256) -> float:
    """Peak signal-to-noise ratio in dB (``inf`` for identical images).

    Works through the rows in chunks with integer arithmetic, so a 24 MP photo needs a few MB of
    scratch memory, not gigabytes of float64 copies.
    """
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    total = 0
    for start in range(0, a.shape[0], rows_per_chunk):
        diff = np.subtract(a[start : start + rows_per_chunk], b[start : start + rows_per_chunk], dtype=np.int64)
        total += int(np.dot(diff.ravel(), diff.ravel()))
    mse = total / max(a.size, 1)
    return math.inf if mse == 0 else 10.0 * math.log10(255.0**2 / mse)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean structural similarity (Wang et al. 2004; Gaussian window sigma 1.5) over RGB channels."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    x, y = a.astype(np.float64), b.astype(np.float64)

    def blur(z: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(z, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)

    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    num = (2 * mx * my + c1) * (2 * sxy + c2)
    den = (mx * mx + my * my + c1) * (sxx + syy + c2)
    return float(np.mean(num / den))


#: The face region the product measures and reports: the face box plus this share of its size on every side.
FACE_MARGIN = 0.2


def face_region_box(face: Face, shape: tuple[int, ...], margin: float = FACE_MARGIN) -> tuple[int, int, int, int]:
    """The face box plus ``margin`` of its size on every side, clipped: ``(x0, y0, x1, y1)`` ints."""
    height, width = shape[:2]
    x0, y0, x1, y1 = face.box
    mx, my = (x1 - x0) * margin, (y1 - y0) * margin
    return (
        max(0, int(math.floor(x0 - mx))),
        max(0, int(math.floor(y0 - my))),
        min(width, int(math.ceil(x1 + mx))),
        min(height, int(math.ceil(y1 + my))),
    )


def crop(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """``image[y0:y1, x0:x1]``."""
    x0, y0, x1, y1 = box
    return image[y0:y1, x0:x1]


def linf(a: np.ndarray, b: np.ndarray) -> int:
    """Largest absolute difference, in 1/255 units."""
    return int(np.abs(a.astype(np.int16) - b.astype(np.int16)).max(initial=0))
