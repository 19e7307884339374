"""The image formats photoguard reads and writes: one table (:data:`FORMATS`), and everything else
derived from it: which suffix names which format, which format a protected photo is written in
and under which suffix, how it is encoded, which formats hold several pictures, and how messages
name them. One rule names an output (:func:`output_name`), shared by the library
(:func:`photoguard.protect`) and the batch engine. No third-party imports, so ``photoguard strip``
can use it without loading numpy.

Example:
    >>> output_format("HEIF"), suffix_format("IMG_0001.JPG")
    ('JPEG', 'JPEG')
    >>> output_name("IMG_0001.HEIC", "JPEG").name, output_name("IMG_0002.JPG", "JPEG").name
    ('IMG_0001.jpg', 'IMG_0002.JPG')
    >>> FORMATS["HEIF"].written_as, FORMATS["WEBP"].save
    ('JPEG', (('lossless', True),))
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from photoguard.errors import UsageError

#: The JPEG quality protected photos are written at, by default (4:4:4 chroma).
JPEG_QUALITY = 95
#: The lowest JPEG quality photoguard writes: lower erodes the cloak.
MIN_JPEG_QUALITY = 90
#: The highest (Pillow's scale).
MAX_JPEG_QUALITY = 100


@dataclass(frozen=True)
class Format:
    """One image format photoguard reads.

    Attributes:
        name: Pillow's name for it (``"JPEG"``, ``"HEIF"``, ...), and the key of :data:`FORMATS`.
        label: how messages name it (``"WebP"``, ``"HEIC/HEIF"``).
        suffixes: the file suffixes (lower case) that name it, its own first: a new file written in
            it gets the first; empty where no suffix names it (told by its magic bytes only).
        written_as: the format a protected photo of this format is written in: the same where the
            format is lossless or accepted everywhere, JPEG for HEIC (HEIC encoders are lossy and
            rarely accepted by platforms), PNG for BMP and GIF.
        save: Pillow's options for writing it, for the formats photoguard writes (None: never
            written; a lossless copy of a face-free photo is the stripper's, not an encode).
        lossy: written with a quality (``jpeg_quality``) and 4:4:4 chroma.
        alpha: written with the photo's alpha channel, when it has one.
        frames: its extra frames or pages are pictures of their own (an animation, a multi-page
            TIFF), not previews or depth maps of the first.
        magic: the first bytes of its files, for a format no metadata handler recognises.
    """

    name: str
    label: str
    suffixes: tuple[str, ...] = ()
    written_as: str = "PNG"
    save: tuple[tuple[str, object], ...] | None = None
    lossy: bool = False
    alpha: bool = False
    frames: bool = False
    magic: tuple[bytes, ...] = ()


#: Every format photoguard reads, by Pillow's name; the order is the order messages list them in.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "JPEG",
            "JPEG",
            (".jpg", ".jpeg", ".jpe", ".jfif"),
            "JPEG",
            save=(("optimize", False),),
            lossy=True,
        ),
        Format("PNG", "PNG", (".png",), "PNG", save=(("compress_level", 6),), alpha=True, frames=True),
        Format("WEBP", "WebP", (".webp",), "WEBP", save=(("lossless", True),), alpha=True, frames=True),
        Format(
            "TIFF", "TIFF", (".tif", ".tiff"), "TIFF", save=(("compression", "tiff_deflate"),), alpha=True, frames=True
        ),
        Format("HEIF", "HEIC/HEIF", (".heic", ".heif", ".hif"), "JPEG"),
        Format("MPO", "JPEG (MPO)", written_as="JPEG"),  # a camera's JPEG with extra images: read as its first
        Format("BMP", "BMP", magic=(b"BM",)),
        Format("GIF", "GIF", frames=True, magic=(b"GIF87a", b"GIF89a")),
    )
}

#: File suffix (lower case) -> the format it names. A photographer's own spelling
#: (``IMG_0001.JPG``) is kept wherever the format allows it.
SUFFIX_FORMAT = {suffix: f.name for f in FORMATS.values() for suffix in f.suffixes}
#: Formats whose extra frames are pictures of their own (animation frames, pages); an MPO's or a
#: HEIF's extra images are previews and depth maps of the primary one.
MULTI_FRAME_FORMATS = frozenset(name for name, f in FORMATS.items() if f.frames)
#: Magic bytes of formats photoguard reads (and protects, as PNG) but has no metadata handler for.
PIXEL_ONLY_MAGIC = {magic: f.name for f in FORMATS.values() for magic in f.magic}


def pixel_format(head: bytes) -> str | None:
    """``"GIF"`` or ``"BMP"`` when ``head`` (a file's first bytes) starts with their magic, else None."""
    return next((fmt for magic, fmt in PIXEL_ONLY_MAGIC.items() if head.startswith(magic)), None)


def suffix_format(path: str | os.PathLike[str]) -> str | None:
    """The format ``path``'s suffix names (``"JPEG"`` for ``.JPG``), or None."""
    return SUFFIX_FORMAT.get(Path(path).suffix.lower())


def output_format(image_format: str) -> str:
    """The format :func:`photoguard.protect` writes a cloaked photo of ``image_format`` in (PNG for
    a format it does not know)."""
    known = FORMATS.get(image_format)
    return known.written_as if known is not None else "PNG"


def own_suffix(image_format: str) -> str:
    """The suffix given to a new file in ``image_format``: the format's own, else that of the format
    it is written as (``.jpg`` for an MPO, ``.png`` for a BMP or an unknown format).

    >>> own_suffix("HEIF"), own_suffix("MPO"), own_suffix("GIF")
    ('.heic', '.jpg', '.png')
    """
    known = FORMATS.get(image_format)
    if known is not None and known.suffixes:
        return known.suffixes[0]
    written = output_format(image_format)
    return FORMATS[written].suffixes[0] if written != image_format else ".png"


def output_suffix(image_format: str) -> str:
    """File suffix (``.jpg``, ``.png``…) that :func:`photoguard.protect` writes for an input format."""
    return own_suffix(output_format(image_format))


def output_name(path: str | os.PathLike[str], written: str) -> Path:
    """``path`` named for a file written in format ``written``: its own suffix when that names the
    format (a photographer's ``IMG_0001.JPG`` stays ``.JPG``), else the format's own suffix."""
    path = Path(path)
    return path if suffix_format(path) == written else path.with_suffix(own_suffix(written))


def wrong_name(target: str | os.PathLike[str], written: str, suffix: str | None = None) -> UsageError:
    """The error for an output named ``target`` whose suffix does not name ``written``, the format
    the photo is written in; ``suffix`` is the one to suggest (the format's own by default)."""
    target = Path(target)
    right = suffix or own_suffix(written)
    return UsageError(
        f"this photo is written as {written}; name the output {target.stem}{right} or give a folder", path=target
    )


def listed(names: Iterable[str]) -> str:
    """Formats named as messages name them: ``"JPEG, PNG or WebP"``.

    >>> listed(["JPEG", "PNG", "WEBP"])
    'JPEG, PNG or WebP'
    """
    labels = [FORMATS[name].label for name in names]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
