"""PSNR, SSIM, face region and L-infinity."""

from __future__ import annotations

import math

import numpy as np

from photoguard.metrics import crop, face_region_box, linf, psnr, ssim
from photoguard.types import Face


def _pair(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, (300, 257, 3), dtype=np.uint8)
    b = np.clip(a.astype(int) + rng.integers(-6, 7, a.shape), 0, 255).astype(np.uint8)
    return a, b


def test_psnr_matches_the_formula_and_chunking_does_not_matter() -> None:
    a, b = _pair()
    ref = 10 * math.log10(255**2 / np.mean((a.astype(float) - b) ** 2))
    assert abs(psnr(a, b) - ref) < 1e-9
    assert abs(psnr(a, b, rows_per_chunk=7) - ref) < 1e-9
    assert psnr(a, a) == math.inf


def test_ssim_bounds() -> None:
    a, b = _pair(1)
    assert abs(ssim(a, a) - 1.0) < 1e-9
    assert 0.0 < ssim(a, b) < 1.0


def test_face_region_box_adds_margin_and_clips() -> None:
    face = Face(box=(10.0, 20.0, 110.0, 140.0), landmarks=np.zeros((5, 2), np.float32), score=0.9)
    x0, y0, x1, y1 = face_region_box(face, (1000, 1000, 3))
    assert (x0, y0, x1, y1) == (0, 0, 130, 164)  # 20 % of 100 and 120 px, clipped at the top-left
    assert crop(np.zeros((1000, 1000, 3)), (x0, y0, x1, y1)).shape == (164, 130, 3)


def test_linf() -> None:
    a = np.zeros((4, 4, 3), np.uint8)
    b = a.copy()
    b[1, 2, 0] = 12
    assert linf(a, b) == 12 and linf(a, a) == 0
