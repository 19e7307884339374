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


#: Rows of the photo converted to float at a time: a 256-row band of a 100 MP photo is ~35 MB.
BAND_ROWS = 256


def extract(image: np.ndarray, region: FaceRegion) -> torch.Tensor:
    """The working crop: ``1 x 3 x h x w`` float in [0, 1], area-resampled (antialiased bilinear)
    from the ``H x W x 3`` uint8 photo.

    Separable, in bands of :data:`BAND_ROWS` rows (the width first, then the height), so a
    close-up of a 100 MP photo never needs the region as one float array.
    """
    pixels = image[region.y0 : region.y1, region.x0 : region.x1]
    h, w = region.work_size
    rows = pixels.shape[0]
    narrow = torch.empty((1, 3, rows, w))
    for r0 in range(0, rows, BAND_ROWS):
        band = _float_band(pixels[r0 : r0 + BAND_ROWS])
        if band.shape[-1] != w:
            band = F.interpolate(band, size=(band.shape[-2], w), mode="bilinear", antialias=True, align_corners=False)
        narrow[:, :, r0 : r0 + band.shape[-2]] = band
    if rows == h:
        return narrow
    return F.interpolate(narrow, size=(h, w), mode="bilinear", antialias=True, align_corners=False)


def paste(out: np.ndarray, original: np.ndarray, delta: torch.Tensor, region: FaceRegion, epsilon: float) -> None:
    """Add a working-resolution perturbation to ``out`` in place, in bands of :data:`BAND_ROWS` rows.

    The perturbation is resampled (bilinear, smooth: the height first, then the width) to the
    region's photo size, added to what ``out`` holds there (earlier faces' cloaks included),
    kept within ``epsilon`` of ``original`` and [0, 1], and rounded to 8 bits.

    Args:
        out: ``H x W x 3`` uint8 photo being protected (written in place).
        original: the ``H x W x 3`` uint8 photo as it came in.
        delta: ``1 x 3 x h x w`` perturbation at working resolution, [0, 1] units.
        region: where it goes.
        epsilon: the L-infinity bound, [0, 1] units.
    """
    rows, cols = region.y1 - region.y0, region.x1 - region.x0
    delta = delta.detach().float().cpu()
    if delta.shape[-2] != rows:
        delta = F.interpolate(delta, size=(rows, delta.shape[-1]), mode="bilinear", align_corners=False)
    for r0 in range(0, rows, BAND_ROWS):
        r1 = min(rows, r0 + BAND_ROWS)
        change = delta[:, :, r0:r1]
        if change.shape[-1] != cols:
            change = F.interpolate(change, size=(r1 - r0, cols), mode="bilinear", align_corners=False)
        y0, y1 = region.y0 + r0, region.y0 + r1
        target = out[y0:y1, region.x0 : region.x1]
        clean = _float_band(original[y0:y1, region.x0 : region.x1])
        moved = torch.minimum(torch.maximum(_float_band(target) + change, clean - epsilon), clean + epsilon)
        target[...] = moved.clamp_(0, 1).mul_(255.0).round_().to(torch.uint8)[0].permute(1, 2, 0).numpy()


def _float_band(pixels: np.ndarray) -> torch.Tensor:
    """``b x W x 3`` uint8 -> ``1 x 3 x b x W`` float32 in [0, 1]."""
    band = torch.from_numpy(np.array(pixels))  # a copy of the band: the photo may be read-only
    return band.permute(2, 0, 1)[None].float().div_(255.0)
