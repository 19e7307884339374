"""Metadata inspection and stripping: who, where and with which device a photo says.

One handler per format (JPEG, PNG, WebP, TIFF, HEIC/HEIF) behind one interface
(:class:`~photoguard.metadata.base.MetadataHandler`), registered in
:mod:`~photoguard.metadata.registry` and chosen by magic bytes. Handlers work on bytes; the two
functions here add file reading, a self-check of the output and atomic writing.

Example::

    from photoguard.metadata import inspect_metadata, strip_metadata
    print(inspect_metadata("IMG_0001.jpg").findings)   # ['location 37.498 N, 127.028 E', ...]
    report = strip_metadata("IMG_0001.jpg", "clean/IMG_0001.jpg")
    print([a.what for a in report.removed])
"""

from __future__ import annotations

import os
from pathlib import Path

from photoguard.errors import MetadataError, UnsupportedImageError, UsageError
from photoguard.fileio import atomic_write_bytes
from photoguard.metadata.base import MetadataHandler
from photoguard.metadata.registry import HANDLERS, detect, handler_for
from photoguard.metadata.types import Action, MetadataItem, MetadataReport, StripReport

__all__ = ["inspect_metadata", "strip_metadata", "strip_bytes", "handler_for", "detect", "HANDLERS",
           "MetadataHandler", "MetadataItem", "MetadataReport", "StripReport", "Action"]


def _read(path: str | os.PathLike) -> bytes:
    path = Path(path)
    if not path.exists():
        raise UnsupportedImageError(f"{path}: no such file")
    if not path.is_file():
        raise UnsupportedImageError(f"{path}: not a regular file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnsupportedImageError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _named(exc: MetadataError, name: str) -> MetadataError:
    """Prefix an error message with the file name (once)."""
    msg = str(exc)
    return exc if msg.startswith(name) else type(exc)(f"{name}: {msg}")


def inspect_metadata(source: str | os.PathLike | bytes) -> MetadataReport:
    """Everything identifying in one image file (or its bytes), grouped, with privacy findings.

    Raises:
        UnsupportedFormatError: not a JPEG, PNG, WebP, TIFF or HEIC/HEIF.
        CorruptMetadataError: the file's structure is broken or truncated.
    """
    is_bytes = isinstance(source, (bytes, bytearray))
    data = bytes(source) if is_bytes else _read(source)
    name = "data" if is_bytes else str(source)
    try:
        report = handler_for(data).inspect(data)
    except MetadataError as exc:
        raise _named(exc, name) from None
    report.path = None if is_bytes else str(source)
    return report


def strip_bytes(data: bytes, *, keep_icc: bool = True, name: str = "data") -> tuple[bytes, StripReport]:
    """Strip metadata from an encoded image in memory; return the new bytes and the report.

    The output is re-inspected before it is returned: if anything identifying were left, a
    :class:`MetadataError` is raised instead.
    """
    try:
        handler = handler_for(data)
        findings = handler.inspect(data).findings
        out, report = handler.strip(data, keep_icc=keep_icc)
        left = handler.inspect(out).findings
    except MetadataError as exc:
        raise _named(exc, name) from None
    if left:
        raise MetadataError(f"{name}: stripped output still holds {', '.join(left)}; nothing written")
    report.findings = findings
    return out, report


def strip_metadata(
    src: str | os.PathLike,
    dst: str | os.PathLike | None = None,
    *,
    keep_icc: bool = True,
    in_place: bool = False,
) -> StripReport:
    """Write a copy of ``src`` without identifying metadata to ``dst`` (atomically).

    Args:
        src: the input file; never modified unless ``in_place``.
        dst: where to write; required unless ``in_place``. Parent folders are created.
        keep_icc: keep the ICC colour profile (default). False drops it.
        in_place: replace ``src`` itself (atomic: a temp file, then rename).

    Returns:
        What was removed and kept, and how pixels and orientation were treated.

    Raises:
        UsageError: no destination, or the destination is the input without ``in_place``.
        UnsupportedFormatError, CorruptMetadataError: the file cannot be handled; nothing is written.
    """
    if in_place:
        dst = src
    elif dst is None:
        raise UsageError("strip_metadata needs a destination (or in_place=True)")
    elif Path(dst).exists() and Path(dst).resolve() == Path(src).resolve():
        raise UsageError(f"{dst}: refusing to overwrite the input (use in_place=True)")
    data = _read(src)
    out, report = strip_bytes(data, keep_icc=keep_icc, name=str(src))
    report.source, report.destination = str(src), str(dst)
    if not (in_place and out == data):
        # A fresh copy can simply be redone, so it is not fsynced; an in-place rewrite is, and
        # keeps the original's permissions.
        mode = Path(src).stat().st_mode & 0o7777 if in_place else None
        atomic_write_bytes(dst, out, durable=in_place, mode=mode)
    return report

