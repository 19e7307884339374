"""Stage 1, load: whatever :func:`photoguard.protect` is given, decoded to one picture, and its
output name checked against the photo's format before any work."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image

from photoguard.errors import UnsupportedImageError, UsageError
from photoguard.imageio import LoadedImage, decode_image, from_pil, open_image
from photoguard.pipeline.naming import check_output_name
from photoguard.pipeline.options import ProtectOptions

#: What :func:`protect` reads: a path, encoded bytes, a PIL image, an ``H x W x 3`` uint8 RGB array
#: or a :class:`~photoguard.imageio.LoadedImage`.
Source = str | os.PathLike[str] | bytes | Image.Image | np.ndarray | LoadedImage


@dataclass
class Loaded:
    """A photo as loaded.

    Attributes:
        photo: the decoded picture.
        data: its encoded bytes when the caller gave bytes (for the lossless strip), else None.
        seconds: how long loading took.
    """

    photo: LoadedImage
    data: bytes | None
    seconds: float


def load(
    source: Source, options: ProtectOptions, output: str | os.PathLike[str] | None = None, name: str = "<bytes>"
) -> Loaded:
    """``source`` decoded (:func:`decode`) and the ``output`` name, when there is one, checked
    against its format before any work (:func:`~photoguard.pipeline.naming.check_output_name`).

    Raises:
        ImageError: the source cannot be read, or holds several pictures (:func:`single_frame`).
        UsageError: a source of another type, or an output name that fits no format it could be written in.
    """
    t0 = time.perf_counter()
    photo, data = decode(source, options.max_pixels, name)
    if output is not None:
        check_output_name(output, photo.format)
    return Loaded(photo, data, time.perf_counter() - t0)


def decode(source: Source, max_pixels: int, name: str = "<bytes>") -> tuple[LoadedImage, bytes | None]:
    """The decoded photo and, when the caller gave them, its encoded bytes (for the lossless strip);
    ``name`` names bytes in errors."""
    if isinstance(source, LoadedImage):
        return source, None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return single_frame(decode_image(data, max_pixels=max_pixels, name=name), name), data
    if isinstance(source, Image.Image):
        return from_pil(source, max_pixels=max_pixels), None
    if isinstance(source, np.ndarray):
        if source.ndim != 3 or source.shape[2] != 3 or source.dtype != np.uint8:
            raise UsageError(f"expected an H x W x 3 uint8 RGB array, got {source.shape} {source.dtype}")
        return LoadedImage(rgb=source.copy(), format="PNG"), None
    if isinstance(source, (str, os.PathLike)):
        return single_frame(open_image(source, max_pixels=max_pixels)), None
    raise UsageError(
        f"protect() reads a path, bytes, a PIL image, an H x W x 3 uint8 array or a LoadedImage, "
        f"not {type(source).__name__}"
    )


def single_frame(loaded: LoadedImage, name: str = "the image") -> LoadedImage:
    """``loaded``, unless its file has several frames or pages: a face in frame 2 would be passed on
    uncloaked (the strip keeps every frame; the re-encode keeps only the first), so it is refused.

    Raises:
        UnsupportedImageError: an animated PNG/WebP/GIF or a multi-page TIFF.
    """
    if loaded.frames > 1:
        raise UnsupportedImageError(
            f"{loaded.frames} frames or pages (animated or multi-page); photoguard "
            "protects single pictures: save the frame or page you want to post as its own file",
            path=loaded.source or name,
        )
    return loaded
