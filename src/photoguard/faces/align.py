"""Differentiable face alignment: from the full image (or a crop of it) to an encoder's input.

Two crops are used by the encoders:

* ``arcface``: the 5-point similarity warp to the 112 x 112 ArcFace template (what InsightFace's
  ``norm_crop`` does, and what face-swap pipelines feed their identity encoder);
* ``margin``: a square crop of the detector box enlarged by a margin (FaceNet, 160 x 160).

Both are expressed as a ``2 x 3`` affine matrix ``M`` mapping source pixel coordinates to
output pixel coordinates (pixel centres at integers, as ``cv2.warpAffine``). :func:`warp`
applies it with ``grid_sample``, so gradients flow back to every source pixel. When the warp
shrinks (a 600 px face into 112 px), plain bilinear sampling reads only a few percent of the
pixels; :func:`warp` first box-filters the source by the integer factor ``floor(1 / scale)``,
so every source pixel contributes, as a real resize would.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

#: ArcFace 112 x 112 template: left eye, right eye, nose tip, left and right mouth corners.
ARCFACE_TEMPLATE = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
    dtype=np.float64,
)


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (rotation, uniform scale, translation) mapping ``src`` to ``dst``.

    Umeyama's method, as ``skimage.transform.SimilarityTransform.estimate`` (used by
    InsightFace's ``norm_crop``).

    Args:
        src, dst: ``K x 2`` point sets, K >= 2.

    Returns:
        ``2 x 3`` float64 matrix ``M`` with ``dst ~= M @ [src, 1]``.
    """
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    src_mean, dst_mean = src.mean(0), dst.mean(0)
    src_c, dst_c = src - src_mean, dst - dst_mean
    cov = dst_c.T @ src_c / len(src)
    u, s, vt = np.linalg.svd(cov)
    d = np.ones(2)
    if np.linalg.det(cov) < 0:
        d[1] = -1
    rot = u @ np.diag(d) @ vt
    var_src = (src_c**2).sum() / len(src)
    scale = (s * d).sum() / var_src
    m = np.zeros((2, 3))
    m[:, :2] = scale * rot
    m[:, 2] = dst_mean - m[:, :2] @ src_mean
    return m


def arcface_matrix(landmarks: np.ndarray, size: int = 112) -> np.ndarray:
    """``2 x 3`` matrix mapping image pixels to the ``size x size`` ArcFace-aligned crop.

    Args:
        landmarks: ``5 x 2`` pixel coordinates (left eye, right eye, nose, mouth left, mouth right).
        size: output side in pixels; the template is scaled from 112.
    """
    return similarity_transform(landmarks, ARCFACE_TEMPLATE * (size / 112.0))


def margin_crop_matrix(box: tuple[float, float, float, float], size: int = 160, margin: float = 0.2) -> np.ndarray:
    """``2 x 3`` matrix mapping image pixels to a square crop of the box plus a margin.

    The crop is centred on the box; its side is ``max(w, h) * (1 + margin)`` source pixels and
    it is resized to ``size x size``.
    """
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0) * (1.0 + margin)
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    scale = size / side
    # output = scale * (src - (c - side/2)) - 0.5 + 0.5*scale  (edge-aligned pixel centres)
    offset_x = -scale * (cx - side / 2.0) + 0.5 * scale - 0.5
    offset_y = -scale * (cy - side / 2.0) + 0.5 * scale - 0.5
    return np.array([[scale, 0.0, offset_x], [0.0, scale, offset_y]])


def jitter_matrices(
    m: torch.Tensor, size: int, *, shift: torch.Tensor, angle: torch.Tensor, scale: torch.Tensor
) -> torch.Tensor:
    """Compose ``B x 2 x 3`` matrices with a small similarity about the output centre.

    Models a re-detection that does not land on the same pixels.

    Args:
        m: ``B x 2 x 3`` source-to-output matrices.
        size: output side in pixels.
        shift: ``B x 2`` translation in output pixels.
        angle: ``B`` rotation in radians.
        scale: ``B`` multiplicative scale (1 = unchanged).
    """
    c = (size - 1) / 2.0
    cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
    a = torch.zeros(m.shape[0], 3, 3, dtype=m.dtype, device=m.device)
    a[:, 0, 0], a[:, 0, 1], a[:, 1, 0], a[:, 1, 1] = cos, -sin, sin, cos
    a[:, 0, 2] = c - cos * c + sin * c + shift[:, 0]
    a[:, 1, 2] = c - sin * c - cos * c + shift[:, 1]
    a[:, 2, 2] = 1.0
    full = torch.cat([m, torch.tensor([[[0.0, 0.0, 1.0]]], dtype=m.dtype, device=m.device).expand(m.shape[0], 1, 3)], 1)
    return (a @ full)[:, :2]


def _matrix_scale(m: torch.Tensor) -> torch.Tensor:
    return torch.sqrt(torch.abs(torch.linalg.det(m[:, :, :2])))


def warp(images: torch.Tensor, matrices: torch.Tensor, size: int, *, antialias: bool = True) -> torch.Tensor:
    """Differentiable affine warp of ``images`` to ``size x size`` crops.

    Args:
        images: ``B x C x H x W`` float (any range); a batch of 1 is broadcast to all matrices.
        matrices: ``B x 2 x 3`` source-pixel -> output-pixel matrices (pixel centres at integers).
        size: output side in pixels.
        antialias: box-filter the source by ``floor(1 / scale)`` first when the warp shrinks.

    Returns:
        ``B x C x size x size``; outside the source is zero (as ``cv2.warpAffine``'s default).

    Example:
        >>> img = torch.rand(1, 3, 400, 400, requires_grad=True)
        >>> m = torch.tensor([[[0.28, 0.0, 0.0], [0.0, 0.28, 0.0]]])
        >>> warp(img, m, 112).sum().backward()
        >>> bool((img.grad != 0).float().mean() > 0.9)
        True
    """
    if images.dim() != 4 or matrices.dim() != 3 or matrices.shape[1:] != (2, 3):
        raise ValueError(f"expected B x C x H x W images and B x 2 x 3 matrices, got {images.shape}, {matrices.shape}")
    batch = matrices.shape[0]
    if images.shape[0] not in (1, batch):
        raise ValueError(f"{images.shape[0]} images for {batch} matrices")
    matrices = matrices.to(images.dtype)
    factors = torch.floor(1.0 / _matrix_scale(matrices)).clamp(min=1).to(torch.int64) if antialias else None
    outputs = []
    groups = factors.unique().tolist() if factors is not None else [1]
    order = []
    for f in groups:
        idx = (factors == f).nonzero().flatten() if factors is not None else torch.arange(batch)
        src = images if images.shape[0] == 1 else images[idx]
        m = matrices[idx]
        if f > 1:
            src = F.avg_pool2d(src, kernel_size=f, stride=f, ceil_mode=True, count_include_pad=False)
            off = (f - 1) / 2.0
            m = torch.cat([m[:, :, :2] * f, (m[:, :, 2] + m[:, :, :2].sum(-1) * off).unsqueeze(-1)], dim=2)
        outputs.append(_sample(src, m, size))
        order.append(idx)
    out = torch.cat(outputs, 0)
    if len(order) > 1:
        out = out[torch.argsort(torch.cat(order))]
    return out


def _sample(src: torch.Tensor, m: torch.Tensor, size: int) -> torch.Tensor:
    batch = m.shape[0]
    height, width = src.shape[-2:]
    full = torch.cat([m, torch.tensor([[[0.0, 0.0, 1.0]]], dtype=m.dtype, device=m.device).expand(batch, 1, 3)], 1)
    inv = torch.linalg.inv(full)[:, :2]  # output px -> source px
    coords = torch.arange(size, dtype=m.dtype, device=m.device)
    gy, gx = torch.meshgrid(coords, coords, indexing="ij")
    ones = torch.ones_like(gx)
    grid = torch.stack([gx, gy, ones], -1).reshape(1, -1, 3)  # 1 x P x 3
    xy = grid @ inv.transpose(1, 2)  # B x P x 2
    norm = torch.stack([(2 * xy[..., 0] + 1) / width - 1, (2 * xy[..., 1] + 1) / height - 1], -1)
    norm = norm.reshape(batch, size, size, 2)
    if src.shape[0] == 1 and batch > 1:
        src = src.expand(batch, -1, -1, -1)
    return F.grid_sample(src, norm, mode="bilinear", padding_mode="zeros", align_corners=False)
