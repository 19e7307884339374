"""The one place format handlers are registered, keyed by format name and MIME type, and
found by magic bytes (never by file extension)."""

from __future__ import annotations

import os
from pathlib import Path

from photoguard.errors import UnsupportedFormatError
from photoguard.formats import listed
from photoguard.metadata.base import MetadataHandler
from photoguard.metadata.heif import HeifHandler
from photoguard.metadata.jpeg import JpegHandler
from photoguard.metadata.png import PngHandler
from photoguard.metadata.tiff import TiffHandler
from photoguard.metadata.webp import WebpHandler

#: format name -> handler class (the single registry)
HANDLERS: dict[str, type[MetadataHandler]] = {
    cls.format: cls for cls in (JpegHandler, PngHandler, WebpHandler, TiffHandler, HeifHandler)
}
HEAD_BYTES = 64


def detect(head: bytes) -> type[MetadataHandler] | None:
    """The handler class whose magic bytes match ``head`` (the first 64 bytes), or None."""
    for cls in HANDLERS.values():
        if cls.sniff(head):
            return cls
    return None


def handler_for(source: bytes | str | os.PathLike) -> MetadataHandler:
    """A handler instance for a file (path) or its bytes, chosen by magic bytes.

    Raises:
        UnsupportedFormatError: no handler recognises the data.
    """
    path = None  # bytes carry no name: the caller names the file
    if isinstance(source, (bytes, bytearray, memoryview)):
        head = bytes(source[:HEAD_BYTES])
    else:
        with open(source, "rb") as fh:
            head, path = fh.read(HEAD_BYTES), Path(source)
    cls = detect(head)
    if cls is None:
        if not head:
            raise UnsupportedFormatError("empty file", path=path)
        raise UnsupportedFormatError(f"not a {listed(HANDLERS)} image", path=path)
    return cls()
