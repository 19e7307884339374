"""Differentiable JPEG: smoke, fidelity to a real encoder, shapes, module == function, gradients."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from photoguard.cloak.jpeg import jpeg, quality_tables


def test_smoke_shape_and_range() -> None:
    x = torch.rand(2, 3, 37, 45)
    y = jpeg(x, torch.tensor([50.0, 90.0]))
    assert y.shape == x.shape
    assert float(y.min()) >= 0.0 and float(y.max()) <= 1.0


def test_close_to_pillow(astronaut: np.ndarray) -> None:
    x = torch.from_numpy(astronaut).permute(2, 0, 1)[None].float() / 255
    for quality in (50, 75, 95):
        buf = io.BytesIO()
        Image.fromarray(astronaut).save(buf, "JPEG", quality=quality)
        real = np.asarray(Image.open(buf), dtype=np.float64)
        ours = jpeg(x, float(quality))[0].permute(1, 2, 0).numpy() * 255
        # The simulated codec lands far closer to libjpeg's output than the input does.
        assert np.abs(ours - real).mean() < 0.5 * np.abs(astronaut - real).mean()


def test_lower_quality_loses_more() -> None:
    x = torch.rand(1, 3, 32, 32)
    err = [float((jpeg(x, q) - x).abs().mean()) for q in (30.0, 60.0, 95.0)]
    assert err[0] > err[1] > err[2]


def test_quality_tables_match_libjpeg_scaling() -> None:
    luma, chroma = quality_tables(torch.tensor([50.0, 100.0]))
    assert luma[0, 0, 0] == 16 and chroma[0, 0, 0] == 17  # quality 50 = the standard tables
    assert torch.all(luma[1] == 1) and torch.all(chroma[1] == 1)


@pytest.mark.parametrize("bad", [torch.rand(3, 16, 16), torch.rand(1, 1, 16, 16)])
def test_rejects_bad_shapes(bad: torch.Tensor) -> None:
    with pytest.raises(ValueError):
        jpeg(bad, 75.0)


def test_rejects_quality_of_wrong_length() -> None:
    with pytest.raises(ValueError):
        jpeg(torch.rand(2, 3, 16, 16), torch.tensor([70.0]))


def test_gradient_reaches_every_pixel() -> None:
    x = torch.rand(2, 3, 24, 24, requires_grad=True)
    jpeg(x, torch.tensor([60.0, 90.0])).pow(2).sum().backward()
    assert torch.isfinite(x.grad).all()
    assert (x.grad != 0).float().mean() > 0.95


def test_gradcheck() -> None:
    x = torch.rand(1, 3, 16, 16, dtype=torch.float64) * 0.8 + 0.1
    x.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: jpeg(t, 80.0, subsample_chroma=False), (x,), eps=1e-6, atol=1e-4)
