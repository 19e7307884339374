"""The working region of one face: where the cloak lives, at which resolution.

The perturbation is optimised on a crop around the face, resampled so the face box is about
``face_px`` pixels, then upsampled (smoothly) back onto the full-resolution photo. The work per
face is therefore the same for a 1 MP and a 50 MP photo.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from photoguard.types import Face


@dataclass(frozen=True)
class FaceRegion:
    """A face's region in the photo and its working-resolution geometry.

    Attributes:
        x0, y0, x1, y1: region in photo pixels (integers, clipped to the photo).
        scale: working pixels per photo pixel (<= 1).
        work_size: ``(h, w)`` of the working crop.
        box: face box in working-crop pixels.
        landmarks: ``5 x 2`` landmarks in working-crop pixels.
    """

    x0: int
    y0: int
    x1: int
    y1: int
    scale: float
    work_size: tuple[int, int]
    box: tuple[float, float, float, float]
    landmarks: np.ndarray

    def to_work(self, xy: np.ndarray) -> np.ndarray:
        """Photo pixel coordinates -> working-crop pixel coordinates."""
        sx = self.work_size[1] / (self.x1 - self.x0)
        sy = self.work_size[0] / (self.y1 - self.y0)
        xy = np.asarray(xy, dtype=np.float64)
        return np.stack([(xy[..., 0] - self.x0 + 0.5) * sx - 0.5, (xy[..., 1] - self.y0 + 0.5) * sy - 0.5], -1)


def face_region(face: Face, image_size: tuple[int, int], face_px: int, region_scale: float) -> FaceRegion:
    """Region and working geometry for ``face`` in an image of ``(width, height)``.

    Args:
        face: the face, photo pixels.
        image_size: ``(width, height)`` of the photo.
        face_px: faces larger than this are worked on downsampled to it.
        region_scale: region side as a multiple of the face box's longer side (it must cover
            every encoder's crop plus the alignment jitter).
    """
    width, height = image_size
    x0, y0, x1, y1 = face.box
    side = max(x1 - x0, y1 - y0) * region_scale
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    rx0, ry0 = max(0, math.floor(cx - side / 2)), max(0, math.floor(cy - side / 2))
    rx1, ry1 = min(width, math.ceil(cx + side / 2)), min(height, math.ceil(cy + side / 2))
    scale = min(1.0, face_px / max(face.width, face.height, 1.0))
    work = (max(16, round((ry1 - ry0) * scale)), max(16, round((rx1 - rx0) * scale)))
    region = FaceRegion(rx0, ry0, rx1, ry1, scale, work, (0, 0, 0, 0), np.zeros((5, 2)))
    corners = region.to_work(np.array([[x0, y0], [x1, y1]]))
    return FaceRegion(
        rx0,
        ry0,
        rx1,
        ry1,
        scale,
        work,
        (float(corners[0, 0]), float(corners[0, 1]), float(corners[1, 0]), float(corners[1, 1])),
        region.to_work(face.landmarks),
    )


def extract(image: torch.Tensor, region: FaceRegion) -> torch.Tensor:
    """The working crop: ``1 x 3 x h x w``, area-resampled from the photo ``1 x 3 x H x W``."""
    crop = image[:, :, region.y0 : region.y1, region.x0 : region.x1]
    if crop.shape[-2:] == region.work_size:
        return crop.clone()
    return F.interpolate(crop, size=region.work_size, mode="bilinear", antialias=True, align_corners=False)


def upsample(delta: torch.Tensor, region: FaceRegion) -> torch.Tensor:
    """A working-resolution perturbation resampled (bilinear, smooth) to the region's photo size."""
    size = (region.y1 - region.y0, region.x1 - region.x0)
    if delta.shape[-2:] == size:
        return delta
    return F.interpolate(delta, size=size, mode="bilinear", align_corners=False)
