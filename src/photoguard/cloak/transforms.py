"""Expectation over transformations (EOT): what happens to a photo between upload and bot.

A platform blurs a little, downsizes and recompresses; the bot re-detects the face and never
lands on exactly the same pixels. :class:`TransformSampler` draws those parameters from a
seeded ``torch.Generator`` (replayable), and :func:`apply_channel` applies one draw to a face
crop, returning the transformed crop and the matching change of pixel coordinates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from photoguard.cloak.budget import gaussian_blur
from photoguard.cloak.jpeg import jpeg


@dataclass(frozen=True)
class ChannelDraw:
    """One random platform channel and re-detection.

    Attributes:
        rescale: downscale factor in (0, 1] (1 = no resize).
        quality: JPEG quality (0 = no JPEG).
        blur: Gaussian blur sigma in pixels (0 = none).
        grid: JPEG 8 x 8 grid offset ``(dy, dx)`` in pixels, 0..7.
        shift: alignment shift ``(dx, dy)`` as a fraction of the aligned crop side.
        angle: alignment rotation, radians.
        scale: alignment scale factor.
    """

    rescale: float
    quality: float
    blur: float
    grid: tuple[int, int]
    shift: tuple[float, float]
    angle: float
    scale: float


class TransformSampler:
    """Seeded source of :class:`ChannelDraw` values.

    Args:
        jpeg_quality: ``(low, high)`` JPEG quality.
        rescale: ``(low, high)`` downscale factor.
        blur_sigma: maximum blur sigma, pixels.
        jitter_shift: maximum alignment shift, fraction of the crop side.
        jitter_angle: maximum rotation, degrees.
        jitter_scale: maximum relative scale change.
        generator: the random source (seed it to replay a run).
    """

    def __init__(
        self,
        *,
        jpeg_quality: tuple[float, float],
        rescale: tuple[float, float],
        blur_sigma: float,
        jitter_shift: float,
        jitter_angle: float,
        jitter_scale: float,
        generator: torch.Generator,
    ) -> None:
        self.jpeg_quality = jpeg_quality
        self.rescale = rescale
        self.blur_sigma = blur_sigma
        self.jitter_shift = jitter_shift
        self.jitter_angle = math.radians(jitter_angle)
        self.jitter_scale = jitter_scale
        self.generator = generator

    def _uniform(self, low: float, high: float) -> float:
        return low + (high - low) * float(torch.rand((), generator=self.generator))

    def draw(self) -> ChannelDraw:
        """One random channel."""
        u = self._uniform
        return ChannelDraw(
            rescale=u(*self.rescale),
            quality=u(*self.jpeg_quality),
            blur=u(0.0, self.blur_sigma),
            grid=(int(u(0, 8)), int(u(0, 8))),
            shift=(u(-1, 1) * self.jitter_shift, u(-1, 1) * self.jitter_shift),
            angle=u(-1, 1) * self.jitter_angle,
            scale=1.0 + u(-1, 1) * self.jitter_scale,
        )


def apply_channel(crop: torch.Tensor, draw: ChannelDraw) -> tuple[torch.Tensor, float]:
    """Blur, downscale and JPEG-compress a crop as one platform channel would.

    Args:
        crop: ``1 x 3 x H x W`` in [0, 1].
        draw: the channel parameters.

    Returns:
        ``(image, r)``: the transformed crop, ``1 x 3 x h x w`` with ``h ~= r * H``, and the
        factor ``r`` mapping crop coordinates to it (``x' = (x + 0.5) * r - 0.5``).
    """
    x = gaussian_blur(crop, draw.blur) if draw.blur > 0.05 else crop
    height, width = x.shape[-2:]
    r = 1.0
    if draw.rescale < 0.999:
        size = (max(8, round(height * draw.rescale)), max(8, round(width * draw.rescale)))
        x = F.interpolate(x, size=size, mode="bilinear", antialias=True, align_corners=False)
        r = size[1] / width
    if draw.quality > 0:
        dy, dx = draw.grid
        padded = F.pad(x, (dx, 0, dy, 0), mode="replicate")
        x = jpeg(padded, draw.quality)[:, :, dy:, dx:]
    return x, r


def rescale_matrix(m: torch.Tensor, r: float) -> torch.Tensor:
    """Adapt ``B x 2 x 3`` source->output matrices to a source resized by ``r``."""
    if r == 1.0:
        return m
    out = m.clone()
    out[:, :, :2] = m[:, :, :2] / r
    out[:, :, 2] = m[:, :, 2] + m[:, :, :2].sum(-1) * (0.5 / r - 0.5)
    return out
