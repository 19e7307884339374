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

import mmap
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from photoguard.errors import ImageNotFoundError, MetadataError, SourceTypeError, UnsupportedImageError, UsageError
from photoguard.fileio import (
    Piece,
    atomic_write_bytes,
    atomic_write_pieces,
    join_pieces,
    open_regular,
    read_error,
    refuse_hard_links,
    refuse_overwrite,
)
from photoguard.metadata.base import MetadataHandler
from photoguard.metadata.registry import HANDLERS, HEAD_BYTES, detect, handler_for
from photoguard.metadata.types import Action, MetadataItem, MetadataReport, StripReport

__all__ = [
    "HANDLERS",
    "Action",
    "MetadataHandler",
    "MetadataItem",
    "MetadataReport",
    "StripReport",
    "detect",
    "handler_for",
    "inspect_metadata",
    "strip_bytes",
    "strip_metadata",
]


def inspect_metadata(source: str | os.PathLike[str] | bytes) -> MetadataReport:
    """Everything identifying in one image file (or its bytes), grouped, with privacy findings.

    Raises:
        UnsupportedFormatError: not a JPEG, PNG, WebP, TIFF or HEIC/HEIF.
        CorruptMetadataError: the file's structure is broken or truncated.
        ImageNotFoundError: no such file (a :class:`FileNotFoundError` too).
        SourceTypeError: ``source`` is neither a path nor bytes (a decoded PIL image: its file's
            metadata is not in it), a :class:`TypeError` too.
    """
    if isinstance(source, (bytes, bytearray)):
        return _inspect(bytes(source), "image bytes")
    with _opened(source) as (_, data):
        report = _inspect(data, str(source))
    report.path = str(source)
    return report


def _inspect(data: bytes, name: str) -> MetadataReport:
    try:
        return handler_for(bytes(data[:HEAD_BYTES])).inspect(data)
    except MetadataError as exc:
        raise exc.at(name) from None


def strip_bytes(data: bytes, *, keep_icc: bool = True, name: str = "image bytes") -> tuple[bytes, StripReport]:
    """Strip metadata from an encoded image in memory; return the new bytes and the report.

    The output is re-inspected before it is returned: if anything identifying were left, a
    :class:`MetadataError` is raised instead.
    """
    pieces, report = _strip_checked(data, keep_icc=keep_icc, name=name)
    return join_pieces(data, pieces), report


def _strip_checked(data: bytes, *, keep_icc: bool, name: str) -> tuple[list[Piece], StripReport]:
    """The handler's strip as pieces, after checking that the output they describe holds no finding."""
    try:
        handler = handler_for(bytes(data[:HEAD_BYTES]))
        findings = handler.inspect(data).findings
        pieces, report = handler.strip_pieces(data, keep_icc=keep_icc)
        left = handler.inspect_pieces(data, pieces).findings
    except MetadataError as exc:
        raise exc.at(name) from None
    if left:
        raise MetadataError(f"stripped output still holds {', '.join(left)}; nothing written", path=name)
    report.findings = findings
    return pieces, report


def strip_metadata(
    src: str | os.PathLike[str] | bytes,
    dst: str | os.PathLike[str] | None = None,
    *,
    keep_icc: bool = True,
    in_place: bool = False,
    overwrite: bool = True,
) -> StripReport:
    """Write a copy of ``src`` without identifying metadata to ``dst`` (atomically).

    For bytes in memory and bytes back, use :func:`strip_bytes`.

    Args:
        src: the input file (or its encoded bytes); never modified unless ``in_place``.
        dst: where to write; required unless ``in_place``. Parent folders are created.
        keep_icc: keep the ICC colour profile (default). False drops it.
        in_place: replace ``src`` itself (atomic: a temp file, then rename); refused for a file
            with other hard links (they would keep the original).
        overwrite: replace a file already at ``dst`` (default: ``dst`` was named, so yes); False
            refuses (the batch engine's names, made inside a folder, never replace a file).

    Returns:
        What was removed and kept, and how pixels and orientation were treated.

    Raises:
        UsageError: no destination, the destination is the input without ``in_place``, or
            ``in_place`` on a file with other hard links.
        OutputExistsError: ``dst`` exists and ``overwrite`` is False.
        UnsupportedFormatError, CorruptMetadataError: the file cannot be handled; nothing is written.
        ImageNotFoundError: no such file (a :class:`FileNotFoundError` too).
        SourceTypeError: ``src`` is neither a path nor bytes (a :class:`TypeError` too).
    """
    if isinstance(src, (bytes, bytearray, memoryview)):
        if dst is None or in_place:
            raise UsageError("strip_metadata(bytes) needs a destination file; strip_bytes(data) returns the bytes")
        data, report = strip_bytes(bytes(src), keep_icc=keep_icc)
        report.destination = str(dst)
        atomic_write_bytes(dst, data, durable=False, replace=overwrite)
        return report
    if not isinstance(src, (str, os.PathLike)):
        raise SourceTypeError(_not_a_file(src))
    if in_place:
        refuse_hard_links(src)
        dst = Path(src).resolve()  # through a symlink onto the real file, not over the link
    elif dst is None:
        raise UsageError("strip_metadata needs a destination (or in_place=True); strip_bytes(data) works in memory")
    else:
        refuse_overwrite(dst, src, hint="use in_place=True")
    with _opened(src) as (fd, data):
        pieces, report = _strip_checked(data, keep_icc=keep_icc, name=str(src))
        report.source, report.destination = str(src), str(dst)
        if in_place and report.bytes_out == len(data) and join_pieces(data, pieces) == data:
            return report  # nothing to remove: the file is left as it is
        # A fresh copy can simply be redone, so it is not fsynced; an in-place rewrite is, and
        # keeps the original's permissions.
        mode = os.fstat(fd).st_mode & 0o7777 if in_place else None
        atomic_write_pieces(
            dst, pieces, source_fd=fd, source=data, durable=in_place, mode=mode, replace=in_place or overwrite
        )
    return report


def _not_a_file(source: object) -> str:
    """Why ``source`` cannot be read for metadata, and what to pass instead."""
    kind = f"{type(source).__module__}.{type(source).__qualname__}"
    if kind.startswith("PIL."):
        return (
            f"got a decoded image ({kind}): its file's metadata is not kept in it; pass the path of the "
            "file it was opened from, or the file's bytes"
        )
    return f"expected a file path or the file's bytes, got {kind}"


@contextmanager
def _opened(path: str | os.PathLike[str]) -> Iterator[tuple[int, bytes]]:
    """An open descriptor of ``path`` and its content: memory-mapped when its format's handler
    takes a mapping (JPEG: the image data is then never copied into Python), else read."""
    if not isinstance(path, (str, os.PathLike)):
        raise SourceTypeError(_not_a_file(path))
    path = Path(path)
    if not path.exists():
        raise ImageNotFoundError(path=path)
    try:
        fh = os.fdopen(open_regular(path), "rb")  # a FIFO or device is refused, never read
    except OSError as exc:
        raise UnsupportedImageError(read_error(exc), path=path) from None
    with fh:
        try:
            head = fh.read(HEAD_BYTES)
            data: bytes | mmap.mmap
            cls = detect(head)
            if cls is not None and cls.accepts_mmap and os.fstat(fh.fileno()).st_size > 0:
                data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            else:
                data = head + fh.read()
        except OSError as exc:
            raise UnsupportedImageError(f"cannot read ({exc.strerror or exc})", path=path) from None
        try:
            # the handlers read an mmap as bytes (slices, find, regex): typed as what it behaves as
            yield fh.fileno(), cast(bytes, data)
        finally:
            if isinstance(data, mmap.mmap):
                try:
                    data.close()
                except BufferError:  # a view is still alive in an exception's traceback: let that error through
                    pass
