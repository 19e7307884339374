"""The visibility floor: the face as *written* (JPEG's own loss included) stays above a PSNR.

The cloak's energy caps are set on the working crop, before the file is encoded. A JPEG at
quality 95 adds its own error, most on textured photos (about 0.8 dB on the worst face of
../shared/faces), so a face can end below the visibility the preset promises. :func:`within_floor`
measures every cloaked face region in the file as it will be written and, if one is under the
floor, scales the whole cloak down (bisection) until none is. A photo whose re-encode alone is
already within 0.5 dB of the floor is left alone: the floor cannot be a promise there, and the
cloak would vanish.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from photoguard.metrics import crop, face_region_box, psnr
from photoguard.types import Face

#: Bisection steps on the cloak's scale (1/64 resolution).
STEPS = 6
#: Rows scaled at a time.
BAND_ROWS = 256


def _written(rgb: np.ndarray, box: tuple[int, int, int, int], jpeg_quality: int | None) -> np.ndarray:
    """The region ``box`` as it decodes from the written file (4:4:4 JPEG blocks are independent,
    so the 8-px-aligned region encodes alone exactly as inside the whole photo)."""
    x0, y0, x1, y1 = box
    if jpeg_quality is None:
        return rgb[y0:y1, x0:x1]
    ax0, ay0 = x0 - x0 % 8, y0 - y0 % 8
    ax1, ay1 = min(rgb.shape[1], x1 + (-x1) % 8), min(rgb.shape[0], y1 + (-y1) % 8)
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb[ay0:ay1, ax0:ax1])).save(buf, "JPEG", quality=jpeg_quality, subsampling=0)
    decoded = np.asarray(Image.open(buf).convert("RGB"))
    return decoded[y0 - ay0 : y1 - ay0, x0 - ax0 : x1 - ax0]


def written_face_psnr(original: np.ndarray, image: np.ndarray, faces: list[Face], jpeg_quality: int | None) -> float:
    """The lowest face-region PSNR (box + 20 %, dB) of ``image`` as written, against ``original``."""
    boxes = [face_region_box(f, original.shape) for f in faces]
    return min(psnr(crop(original, b), _written(image, b, jpeg_quality)) for b in boxes)


def face_rms_under_floor(
    original: np.ndarray, face: Face, face_rms: float, floor_db: float, jpeg_quality: int | None
) -> float:
    """The face RMS cap (1/255 units) that leaves room for the re-encode's own loss under the floor.

    The two errors add (independent): the cloak may use ``floor_mse - jpeg_mse``. So the optimiser
    works within the budget the written file allows instead of being scaled down afterwards. Where
    the re-encode alone takes most of the floor (see the module text) ``face_rms`` is kept.
    """
    box = face_region_box(face, original.shape)
    loss = crop(original, box).astype(np.float64) - _written(original, box, jpeg_quality)
    jpeg_mse = float(np.mean(loss**2)) if loss.size else 0.0
    allowed = (255.0 / 10 ** (floor_db / 20)) ** 2 - jpeg_mse
    if allowed <= (0.5 * face_rms) ** 2:
        return face_rms
    return min(face_rms, float(np.sqrt(allowed)))


def within_floor(
    original: np.ndarray, protected: np.ndarray, faces: list[Face], floor_db: float, jpeg_quality: int | None
) -> np.ndarray:
    """``protected`` with its cloak scaled down until every face region of the written file is at
    least ``floor_db`` PSNR (``jpeg_quality`` None: written losslessly).

    Args:
        original, protected: ``H x W x 3`` uint8 RGB.
        faces: the cloaked faces.
        floor_db: the lowest face PSNR allowed, dB.
        jpeg_quality: the quality the photo will be written at, or None for a lossless format.

    Returns:
        ``protected`` itself when it already holds the floor (or cannot: see the module text),
        else a scaled copy.
    """
    if not faces or written_face_psnr(original, protected, faces, jpeg_quality) >= floor_db:
        return protected
    if written_face_psnr(original, original, faces, jpeg_quality) < floor_db + 0.5:
        return protected  # the re-encode alone nearly breaks the floor: no promise to keep

    def scaled(k: float) -> np.ndarray:  # in bands of rows: no photo-sized float array
        out = np.empty_like(protected)
        for r0 in range(0, out.shape[0], BAND_ROWS):
            clean = original[r0 : r0 + BAND_ROWS].astype(np.float32)
            change = protected[r0 : r0 + BAND_ROWS] - clean
            out[r0 : r0 + BAND_ROWS] = np.clip(np.rint(clean + k * change), 0, 255)
        return out

    lo, hi = 0.0, 1.0
    for _ in range(STEPS):
        mid = (lo + hi) / 2
        if written_face_psnr(original, scaled(mid), faces, jpeg_quality) >= floor_db:
            lo = mid
        else:
            hi = mid
    return scaled(lo)
