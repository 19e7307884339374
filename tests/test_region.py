"""The working region: banded extract and paste equal the whole-array resampling they replace."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from photoguard.cloak import region as region_mod
from photoguard.cloak.region import FaceRegion, extract, paste


def _region(rows: int, cols: int, work: tuple[int, int], y0: int = 3, x0: int = 5) -> FaceRegion:
    return FaceRegion(x0, y0, x0 + cols, y0 + rows, work[0] / rows, work, (0, 0, 1, 1), np.zeros((5, 2)))


def _photo(rows: int, cols: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (rows, cols, 3), dtype=np.uint8)


@pytest.mark.parametrize("work", [(40, 52), (600, 700)])  # downsampled, and at the photo's own size
def test_extract_equals_one_antialiased_resample(monkeypatch, work):
    monkeypatch.setattr(region_mod, "BAND_ROWS", 64)  # several bands, one of them partial
    photo = _photo(620, 720)
    region = _region(600, 700, work)
    crop = extract(photo, region)
    pixels = torch.from_numpy(photo[3:603, 5:705].copy()).permute(2, 0, 1)[None].float() / 255
    expected = pixels if work == (600, 700) else F.interpolate(pixels, size=work, mode="bilinear", antialias=True)
    assert crop.shape == (1, 3, *work)
    assert float((crop - expected).abs().max()) < 1e-5


def test_paste_equals_one_upsample_then_clamp(monkeypatch):
    monkeypatch.setattr(region_mod, "BAND_ROWS", 64)
    photo = _photo(620, 720)
    region = _region(600, 700, (40, 52))
    delta = torch.randn(1, 3, 40, 52, generator=torch.Generator().manual_seed(1)) * 0.05
    eps = 12 / 255
    out = photo.copy()
    paste(out, photo, delta, region, eps)
    clean = torch.from_numpy(photo).permute(2, 0, 1)[None].float() / 255
    patch = clean[:, :, 3:603, 5:705]
    moved = patch + F.interpolate(delta, size=(600, 700), mode="bilinear", align_corners=False)
    moved = torch.minimum(torch.maximum(moved, patch - eps), patch + eps).clamp(0, 1)
    expected = photo.copy()
    expected[3:603, 5:705] = moved.mul(255).round().to(torch.uint8)[0].permute(1, 2, 0).numpy()
    assert np.abs(out.astype(int) - expected.astype(int)).max() <= 1  # float rounding at .5 only
    assert np.mean(out != expected) < 1e-4
    assert np.array_equal(out[:3], photo[:3]) and np.array_equal(out[:, :5], photo[:, :5])  # outside untouched
    assert np.abs(out.astype(int) - photo.astype(int)).max() <= 12


def test_paste_adds_to_what_is_there_but_bounds_by_the_original():
    photo = np.full((32, 32, 3), 128, np.uint8)
    region = _region(32, 32, (32, 32), y0=0, x0=0)
    out = photo.copy()
    push = torch.full((1, 3, 32, 32), 8 / 255)
    paste(out, photo, push, region, 12 / 255)
    paste(out, photo, push, region, 12 / 255)  # a second face's cloak on the same pixels
    assert (out == 140).all()  # 128 + 8 + 8, held at the 12/255 bound around the original
