"""Which file format goes with which suffix, and which format a protected photo is written in.

One table each, and one rule for naming an output (:func:`output_name`), shared by the library
(:func:`photoguard.protect`) and the batch engine; no third-party imports, so ``photoguard strip``
can use it without loading numpy.

Example:
    >>> output_format("HEIF"), suffix_format("IMG_0001.JPG")
    ('JPEG', 'JPEG')
    >>> output_name("IMG_0001.HEIC", "JPEG").name, output_name("IMG_0002.JPG", "JPEG").name
    ('IMG_0001.jpg', 'IMG_0002.JPG')
"""

from __future__ import annotations

import os
from pathlib import Path

from photoguard.errors import UsageError

#: File suffix (lower case) -> the image format it names. A photographer's own spelling
#: (``IMG_0001.JPG``) is kept wherever the format allows it.
SUFFIX_FORMAT = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jpe": "JPEG",
    ".jfif": "JPEG",
    ".png": "PNG",
    ".webp": "WEBP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".heic": "HEIF",
    ".heif": "HEIF",
    ".hif": "HEIF",
}

#: Input format -> the format a cloaked photo is written in: PNG for PNG, JPEG (quality 95, 4:4:4)
#: for JPEG and HEIC (HEIC encoders are lossy and rarely accepted by platforms), lossless WebP for
#: WebP, TIFF for TIFF; anything else as PNG.
OUTPUT_FORMAT = {
    "JPEG": "JPEG",
    "MPO": "JPEG",
    "HEIF": "JPEG",
    "PNG": "PNG",
    "WEBP": "WEBP",
    "TIFF": "TIFF",
    "BMP": "PNG",
    "GIF": "PNG",
}

#: Written format -> the suffix given to a new file name.
OUTPUT_SUFFIX = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif"}
#: Any format's own suffix, for a face-free photo copied losslessly in its own format.
FORMAT_SUFFIX = {**OUTPUT_SUFFIX, "HEIF": ".heic", "MPO": ".jpg"}


#: Magic bytes of formats photoguard reads (and protects, as PNG) but has no metadata handler for.
PIXEL_ONLY_MAGIC = {b"GIF87a": "GIF", b"GIF89a": "GIF", b"BM": "BMP"}


def pixel_format(head: bytes) -> str | None:
    """``"GIF"`` or ``"BMP"`` when ``head`` (a file's first bytes) starts with their magic, else None."""
    return next((fmt for magic, fmt in PIXEL_ONLY_MAGIC.items() if head.startswith(magic)), None)


def suffix_format(path: str | os.PathLike[str]) -> str | None:
    """The format ``path``'s suffix names (``"JPEG"`` for ``.JPG``), or None."""
    return SUFFIX_FORMAT.get(Path(path).suffix.lower())


def output_format(image_format: str) -> str:
    """The format :func:`photoguard.protect` writes a cloaked photo of ``image_format`` in."""
    return OUTPUT_FORMAT.get(image_format, "PNG")


def output_suffix(image_format: str) -> str:
    """File suffix (``.jpg``, ``.png``…) that :func:`photoguard.protect` writes for an input format."""
    return OUTPUT_SUFFIX[output_format(image_format)]


def output_name(path: str | os.PathLike[str], written: str) -> Path:
    """``path`` named for a file written in format ``written``: its own suffix when that names the
    format (a photographer's ``IMG_0001.JPG`` stays ``.JPG``), else the format's own suffix."""
    path = Path(path)
    return path if suffix_format(path) == written else path.with_suffix(FORMAT_SUFFIX.get(written, ".png"))


def wrong_name(target: str | os.PathLike[str], written: str, suffix: str | None = None) -> UsageError:
    """The error for an output named ``target`` whose suffix does not name ``written``, the format
    the photo is written in; ``suffix`` is the one to suggest (the format's own by default)."""
    target = Path(target)
    right = suffix or FORMAT_SUFFIX.get(written, ".png")
    return UsageError(
        f"this photo is written as {written}; name the output {target.stem}{right} or give a folder", path=target
    )
