"""The visibility floor: every face of the file *as written* stays at or above its JOD targets, at
100 % on a 4K monitor and on a phone.

The cloak aims at its preset's visibility target on the working crop, with a fast linearised
estimate (:mod:`photoguard.visibility.proxy`). This module measures the result the way the product
reports it: ColorVideoVDP's JOD of each face region (box + 20 %) of the photo as it decodes from
the written file (a JPEG's own loss included) against the original, at 100 % on a 4K monitor
(:func:`photoguard.visibility.measure.face_jod`). If a face is under the floor, the whole cloak is
scaled down until none is: the visible difference grows about as a power of the cloak's amplitude,
so a secant on log-log axes finds the scale in two or three measurements.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Sequence

import numpy as np
from PIL import Image

from photoguard.metrics import crop, face_region_box
from photoguard.types import Face
from photoguard.visibility.measure import phone_face_box, phone_source_box, region_jod, shown_on_phone

#: Most measurements spent looking for the scale.
TRIES = 5
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
    with Image.open(buf) as decoded_image:  # a 4:4:4 JPEG of RGB decodes as RGB: no converted copy
        decoded = np.asarray(decoded_image if decoded_image.mode == "RGB" else decoded_image.convert("RGB"))
    return decoded[y0 - ay0 : y1 - ay0, x0 - ax0 : x1 - ax0]


def written_face_jods(
    original: np.ndarray, image: np.ndarray, faces: list[Face], jpeg_quality: int | None
) -> list[tuple[float, float]]:
    """Each face's ``(JOD at 100 % on a 4K monitor, JOD on a phone)`` in ``image`` as written, against
    ``original`` (:func:`~photoguard.visibility.measure.face_jod`, :func:`~photoguard.visibility.measure.phone_jod`)."""
    out = []
    for face in faces:
        box = face_region_box(face, original.shape)
        shown = phone_face_box(face, original.shape)
        source = phone_source_box(shown, original.shape)
        # both views' regions as written, from one encoding of the region that holds them both
        both = (min(box[0], source[0]), min(box[1], source[1]), max(box[2], source[2]), max(box[3], source[3]))
        written = _written(image, both, jpeg_quality)
        at_100 = region_jod(crop(original, box), crop(written, _inside(box, both)))
        before, after = (
            shown_on_phone(part, shown, photo_shape=original.shape, origin=(source[0], source[1]))
            for part in (crop(original, source), crop(written, _inside(source, both)))
        )
        out.append((at_100, region_jod(before, after, "phone")))
    return out


def _inside(box: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """``box`` in the coordinates of the region ``outer`` that holds it."""
    return box[0] - outer[0], box[1] - outer[1], box[2] - outer[0], box[3] - outer[1]


def _over(jods: list[tuple[float, float]], targets: Sequence[tuple[float, float]]) -> float:
    """The largest visible difference among the faces and views, as a share of what that face's
    target allows there (``(10 - JOD) / (10 - target)``: 1 = at its floor)."""
    return max(
        max((10.0 - at_100) / max(10.0 - t_100, 1e-3), (10.0 - on_phone) / max(10.0 - t_phone, 1e-3))
        for (at_100, on_phone), (t_100, t_phone) in zip(jods, targets, strict=True)
    )


def _scaled(original: np.ndarray, protected: np.ndarray, k: float) -> np.ndarray:
    """``original + k * (protected - original)``, rounded, in bands of rows (no photo-sized float array)."""
    out = np.empty_like(protected)
    for r0 in range(0, out.shape[0], BAND_ROWS):
        clean = original[r0 : r0 + BAND_ROWS].astype(np.float32)
        change = protected[r0 : r0 + BAND_ROWS] - clean
        out[r0 : r0 + BAND_ROWS] = np.clip(np.rint(clean + k * change), 0, 255)
    return out


def within_floor(
    original: np.ndarray,
    protected: np.ndarray,
    faces: list[Face],
    floors: Sequence[tuple[float, float]],
    jpeg_quality: int | None,
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """``protected`` with its cloak scaled down until every face of the written file is at least
    its floor at 100 % on a 4K monitor and on a phone, and each face's two JODs as finally written.

    Args:
        original, protected: ``H x W x 3`` uint8 RGB.
        faces: the cloaked faces.
        floors: the lowest JODs each face may have, ``(4K monitor at 100 %, phone)``, one pair per
            face (:meth:`~photoguard.config.CloakConfig.targets_for`).
        jpeg_quality: the quality the photo will be written at, or None for a lossless format.

    Returns:
        ``(image, jods)``: ``protected`` itself when it already holds the floor, else a scaled copy;
        ``(4K, phone)`` JODs per face, measured on that image as written.
    """
    if not faces:
        return protected, []
    # A scale close to 1 often rounds back to the same pixels (0.97 x a change of 10 levels is still
    # 10): the same pixels are the same JODs, measured once.
    measured_for: dict[bytes, list[tuple[float, float]]] = {}

    def measure(image: np.ndarray) -> list[tuple[float, float]]:
        key = hashlib.blake2b(np.ascontiguousarray(image).data, digest_size=16).digest()
        if key not in measured_for:
            measured_for[key] = written_face_jods(original, image, faces, jpeg_quality)
        return measured_for[key]

    jods = measure(protected)
    seen = _over(jods, floors)  # 1 = the face closest to its floor is at it
    if seen <= 1.0:
        return protected, jods
    # Only the scale of the best image is kept, and one scaled image at a time is held: on an 88 MP
    # photo each is 264 MB.
    best: tuple[float, list[tuple[float, float]] | None] = (0.0, None)
    image: np.ndarray | None = None
    image_scale = 1.0
    k, growth = 1.0, 1.5
    for _ in range(TRIES):
        target = k * (1.0 / seen) ** (1.0 / growth) * (0.98 if best[0] == 0.0 else 1.0)
        if not 0.0 < target < 1.0 or abs(target - k) < 1e-3:
            break
        image = None
        image, image_scale = _scaled(original, protected, target), target
        measured = measure(image)
        now = _over(measured, floors)
        if now <= 1.0 and target > best[0]:
            best = (target, measured)
            if now > 0.97:  # close enough under the floor
                break
        if now > 1e-6 and seen > 1e-6 and now != seen:
            growth = min(3.0, max(0.7, math.log(seen / now) / math.log(k / target)))
        k, seen = target, now
    if best[1] is None:  # no scale held the floor: the photo goes out without a cloak
        return original, measure(original)
    if image is None or image_scale != best[0]:  # the last image tried is not the best one: make it again
        image = None
        image = _scaled(original, protected, best[0])
    return image, best[1]
