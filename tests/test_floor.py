"""The visibility floor on the written file: a cloak that would end below it is scaled down."""

from __future__ import annotations

import numpy as np

from photoguard.cloak.floor import within_floor, written_face_psnr
from photoguard.types import Face


def _photo(seed: int = 0) -> tuple[np.ndarray, Face]:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:160, 0:200]
    base = np.stack([80 + 0.4 * xx, 90 + 0.3 * yy, 120 + 0.1 * (xx + yy)], -1)
    original = np.clip(base + rng.normal(0, 2, base.shape), 0, 255).astype(np.uint8)
    face = Face(box=(60.0, 40.0, 140.0, 120.0), landmarks=np.zeros((5, 2), np.float32), score=0.9)
    return original, face


def _cloak(original: np.ndarray, rms: float, seed: int = 1) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, rms, original.shape)
    return np.clip(np.rint(original + noise), 0, 255).astype(np.uint8)


def test_a_cloak_under_the_floor_is_scaled_to_it() -> None:
    original, face = _photo()
    protected = _cloak(original, 6.0)  # ~32.6 dB: under a 35.5 dB floor
    for quality in (None, 95):
        assert written_face_psnr(original, protected, [face], quality) < 35.5
        held = within_floor(original, protected, [face], 35.5, quality)
        after = written_face_psnr(original, held, [face], quality)
        assert 35.5 <= after < 37.0  # at the floor, not far above it: the cloak keeps what it may
        assert np.abs(held.astype(int) - original.astype(int)).max() > 0


def test_a_cloak_above_the_floor_is_left_alone() -> None:
    original, face = _photo()
    protected = _cloak(original, 2.0)
    assert within_floor(original, protected, [face], 35.5, 95) is protected


def test_no_promise_where_the_re_encode_alone_breaks_the_floor() -> None:
    original, face = _photo()
    protected = _cloak(original, 6.0)
    assert within_floor(original, protected, [face], 60.0, 95) is protected  # q95 alone is under 60 dB
