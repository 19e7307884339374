"""Where the cloak may change pixels, and by how much: the per-pixel budget.

The budget is a just-noticeable-difference (JND) map in the spirit of Chou & Li (1995):
luminance adaptation (dark and very bright backgrounds hide more) and contrast masking
(texture and edges hide more, flat skin hides little), multiplied by a feathered ellipse
around the face (no halo in the background) and attenuated over the eyes. All maps are
``1 x 1 x H x W`` in units of the [0, 1] pixel range.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def _gaussian_kernel(sigma: float, device: torch.device) -> torch.Tensor:
    radius = max(1, int(round(3 * sigma)))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32, device=device)
    k = torch.exp(-(x**2) / (2 * sigma**2))
    return k / k.sum()


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of ``B x C x H x W`` with reflect padding (identity for sigma <= 0)."""
    if sigma <= 0:
        return x
    k = _gaussian_kernel(sigma, x.device).to(x.dtype)
    c = x.shape[1]
    r = k.numel() // 2
    x = F.pad(x, (r, r, 0, 0), mode="reflect" if x.shape[-1] > r else "replicate")
    x = F.conv2d(x, k.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    x = F.pad(x, (0, 0, r, r), mode="reflect" if x.shape[-2] > r else "replicate")
    return F.conv2d(x, k.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)


def luminance(rgb: torch.Tensor) -> torch.Tensor:
    """``B x 3 x H x W`` RGB in [0, 1] -> ``B x 1 x H x W`` luma (BT.601) in [0, 1]."""
    w = torch.tensor([0.299, 0.587, 0.114], dtype=rgb.dtype, device=rgb.device).view(1, 3, 1, 1)
    return (rgb * w).sum(1, keepdim=True)


def jnd_map(rgb: torch.Tensor) -> torch.Tensor:
    """Just-noticeable luminance difference per pixel (Chou & Li's spatial model).

    Args:
        rgb: ``1 x 3 x H x W`` in [0, 1].

    Returns:
        ``1 x 1 x H x W`` JND in [0, 1] units (typically 3/255 on flat mid-grey, 6-15/255 in texture).
    """
    y = luminance(rgb) * 255.0
    bg = F.avg_pool2d(F.pad(y, (2, 2, 2, 2), mode="replicate"), 5, stride=1)
    # Maximum weighted gradient (Sobel magnitude on a lightly smoothed luma, 0..255 units).
    ys = gaussian_blur(y, 0.8)
    sobel = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=y.dtype, device=y.device) / 4.0
    kernels = torch.stack([sobel, sobel.T]).unsqueeze(1)
    grad = F.conv2d(F.pad(ys, (1, 1, 1, 1), mode="replicate"), kernels)
    mg = grad.abs().amax(1, keepdim=True)
    mg = F.max_pool2d(F.pad(mg, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    lum = torch.where(bg <= 127, 17.0 * (1.0 - torch.sqrt(bg / 127.0)) + 3.0, 3.0 / 128.0 * (bg - 127.0) + 3.0)
    alpha = bg * 0.0001 + 0.115
    beta = 0.5 - bg * 0.01
    masking = mg * alpha + beta
    return torch.maximum(lum, masking) / 255.0


def ellipse_mask(
    shape: tuple[int, int], box: tuple[float, float, float, float], *, grow: float = 1.15, feather: float = 0.18
) -> torch.Tensor:
    """Feathered ellipse over a face box: 1 inside, smooth fall-off to 0 outside.

    Args:
        shape: ``(H, W)`` of the map.
        box: ``(x0, y0, x1, y1)`` face box in the map's pixel coordinates.
        grow: ellipse semi-axes as a multiple of the half box sides.
        feather: width of the fall-off as a fraction of the box size.

    Returns:
        ``1 x 1 x H x W`` float in [0, 1].
    """
    h, w = shape
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    ax, ay = max((x1 - x0) / 2.0 * grow, 1.0), max((y1 - y0) / 2.0 * grow, 1.0)
    yy, xx = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    r = torch.sqrt(((xx - cx) / ax) ** 2 + ((yy - cy) / ay) ** 2)  # 1 on the ellipse
    width = feather * 2.0 * max(ax, ay) / max(ax, ay, 1.0) * max(x1 - x0, y1 - y0) / max(ax, ay)
    t = ((r - 1.0) / max(width, 1e-3)).clamp(0, 1)
    return (0.5 + 0.5 * torch.cos(torch.pi * t)).view(1, 1, h, w)


def eye_attenuation(shape: tuple[int, int], landmarks: np.ndarray, *, ratio: float, radius: float) -> torch.Tensor:
    """``1 x 1 x H x W`` map: ``ratio`` at the eye landmarks rising smoothly to 1 at ``radius`` px."""
    h, w = shape
    yy, xx = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    out = torch.ones(h, w)
    for ex, ey in np.asarray(landmarks)[:2]:
        d = torch.sqrt((xx - float(ex)) ** 2 + (yy - float(ey)) ** 2) / max(radius, 1.0)
        s = d.clamp(0, 1)
        out = torch.minimum(out, ratio + (1.0 - ratio) * (3 * s**2 - 2 * s**3))
    return out.view(1, 1, h, w)


def budget_map(
    rgb: torch.Tensor,
    box: tuple[float, float, float, float],
    landmarks: np.ndarray,
    *,
    epsilon: float,
    jnd_scale: float,
    eye_ratio: float,
) -> torch.Tensor:
    """Per-pixel L-infinity budget for one face crop.

    Args:
        rgb: ``1 x 3 x H x W`` clean crop in [0, 1].
        box, landmarks: the face in the crop's pixel coordinates.
        epsilon: hard cap, in 1/255 units.
        jnd_scale: multiple of the JND allowed.
        eye_ratio: multiplier over the eyes.

    Returns:
        ``1 x 1 x H x W`` budget in [0, epsilon / 255].
    """
    shape = (int(rgb.shape[-2]), int(rgb.shape[-1]))
    jnd = jnd_map(rgb)
    mask = ellipse_mask(shape, box).to(rgb.device)
    eye_radius = 0.12 * max(box[2] - box[0], box[3] - box[1])
    eyes = eye_attenuation(shape, landmarks, ratio=eye_ratio, radius=eye_radius).to(rgb.device)
    return (jnd * jnd_scale).clamp(max=epsilon / 255.0) * mask * eyes
