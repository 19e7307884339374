"""Differentiable JPEG compression (the channel every platform applies).

Colour conversion to YCbCr (JFIF), optional 4:2:0 chroma subsampling, 8 x 8 block DCT,
quantisation with the standard IJG tables scaled to the requested quality, and the inverse.
Rounding is replaced by ``round(x) + (x - round(x)) ** 3`` (Shin & Song, 2017), which keeps
the forward pass close to real rounding and gives a useful gradient.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

_LUMA_TABLE = torch.tensor(
    [
        [16, 11, 10, 16, 24, 40, 51, 61],
        [12, 12, 14, 19, 26, 58, 60, 55],
        [14, 13, 16, 24, 40, 57, 69, 56],
        [14, 17, 22, 29, 51, 87, 80, 62],
        [18, 22, 37, 56, 68, 109, 103, 77],
        [24, 35, 55, 64, 81, 104, 113, 92],
        [49, 64, 78, 87, 103, 121, 120, 101],
        [72, 92, 95, 98, 112, 100, 103, 99],
    ],
    dtype=torch.float32,
)
_CHROMA_TABLE = torch.full((8, 8), 99.0)
_CHROMA_TABLE[:4, :4] = torch.tensor(
    [[17, 18, 24, 47], [18, 21, 26, 66], [24, 26, 56, 99], [47, 66, 99, 99]], dtype=torch.float32
)


def _dct_matrix() -> torch.Tensor:
    d = torch.zeros(8, 8, dtype=torch.float64)
    for k in range(8):
        for n in range(8):
            d[k, n] = (math.sqrt(1 / 8) if k == 0 else math.sqrt(2 / 8)) * math.cos(math.pi * (2 * n + 1) * k / 16)
    return d.float()


_DCT = _dct_matrix()


def quality_tables(quality: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """IJG quantisation tables for each quality in ``quality`` (``B``, values 1..100).

    Returns:
        ``(luma, chroma)``, each ``B x 8 x 8``, entries clamped to 1..255 as libjpeg does.
    """
    q = quality.clamp(1, 100).float()
    scale = torch.where(q < 50, 5000.0 / q, 200.0 - 2.0 * q)[:, None, None]
    luma = torch.floor((_LUMA_TABLE.to(q.device) * scale + 50.0) / 100.0).clamp(1, 255)
    chroma = torch.floor((_CHROMA_TABLE.to(q.device) * scale + 50.0) / 100.0).clamp(1, 255)
    return luma, chroma


def _soft_round(x: torch.Tensor) -> torch.Tensor:
    r = torch.round(x)
    return r + (x - r) ** 3


def _blockwise(channel: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Quantise one ``B x H x W`` plane (H, W multiples of 8) with ``B x 8 x 8`` tables."""
    b, h, w = channel.shape
    blocks = channel.reshape(b, h // 8, 8, w // 8, 8).permute(0, 1, 3, 2, 4)  # B x h8 x w8 x 8 x 8
    d = _DCT.to(channel.device, channel.dtype)
    coeff = d @ blocks @ d.T
    t = table[:, None, None]
    coeff = _soft_round(coeff / t) * t
    blocks = d.T @ coeff @ d
    return blocks.permute(0, 1, 3, 2, 4).reshape(b, h, w)


def jpeg(images: torch.Tensor, quality: torch.Tensor | float, *, subsample_chroma: bool = True) -> torch.Tensor:
    """Differentiable JPEG round trip.

    Args:
        images: ``B x 3 x H x W`` RGB in [0, 1], any H, W (edges are replicated to a multiple of 16).
        quality: JPEG quality 1..100, a float or a ``B`` tensor (one quality per image).
        subsample_chroma: 4:2:0 chroma subsampling as most platforms use.

    Returns:
        ``B x 3 x H x W`` in [0, 1], the image as a decoder would show it.

    Example:
        >>> x = torch.rand(2, 3, 32, 40, requires_grad=True)
        >>> jpeg(x, torch.tensor([60.0, 90.0])).mean().backward()
        >>> x.grad.shape
        torch.Size([2, 3, 32, 40])
    """
    if images.dim() != 4 or images.shape[1] != 3:
        raise ValueError(f"expected B x 3 x H x W, got {tuple(images.shape)}")
    batch, _, height, width = images.shape
    if not torch.is_tensor(quality):
        quality = torch.full((batch,), float(quality), device=images.device)
    if quality.shape != (batch,):
        raise ValueError(f"quality must be a float or a tensor of shape ({batch},), got {tuple(quality.shape)}")
    pad_h, pad_w = (-height) % 16, (-width) % 16
    x = F.pad(images, (0, pad_w, 0, pad_h), mode="replicate") * 255.0
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b - 128.0
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b
    luma_t, chroma_t = quality_tables(quality.to(images.device))
    y = _blockwise(y, luma_t)
    if subsample_chroma:
        c = F.avg_pool2d(torch.stack([cb, cr], 1), 2)
        c = torch.stack([_blockwise(c[:, 0], chroma_t), _blockwise(c[:, 1], chroma_t)], 1)
        c = F.interpolate(c, scale_factor=2, mode="bilinear", align_corners=False)
        cb, cr = c[:, 0], c[:, 1]
    else:
        cb, cr = _blockwise(cb, chroma_t), _blockwise(cr, chroma_t)
    y = y + 128.0
    out = torch.stack([y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb], 1) / 255.0
    return out[:, :, :height, :width].clamp(0.0, 1.0)
