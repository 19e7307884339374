"""The one interface every format handler implements (mat2's parser-per-format design)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from photoguard.fileio import Piece, join_pieces
from photoguard.formats import FORMATS
from photoguard.metadata.types import MetadataReport, StripReport


class MetadataHandler(ABC):
    """Inspect and strip one file format, working on bytes (so callers can strip in memory).

    Subclasses set :attr:`format` (a key of :data:`photoguard.formats.FORMATS`) and :attr:`mime`,
    recognise their files by magic bytes in :meth:`sniff`, and are registered in
    :mod:`photoguard.metadata.registry`; their :attr:`extensions` are the format's suffixes there.
    """

    format: ClassVar[str]
    mime: ClassVar[str]
    #: The suffixes that name this handler's format (:attr:`photoguard.formats.Format.suffixes`).
    extensions: ClassVar[tuple[str, ...]]
    #: True when :meth:`inspect` and :meth:`strip_pieces` read ``data`` only by slicing, indexing,
    #: ``find`` and ``struct.unpack_from``, so a memory-mapped file can stand in for bytes.
    accepts_mmap: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "format" in cls.__dict__:
            cls.extensions = FORMATS[cls.format].suffixes

    @staticmethod
    @abstractmethod
    def sniff(head: bytes) -> bool:
        """True when the first bytes of a file (at least 16) are this format's magic."""

    @abstractmethod
    def inspect(self, data: bytes) -> MetadataReport:
        """List every metadata item found, with privacy findings.

        Raises:
            CorruptMetadataError: the container structure cannot be parsed.
        """

    @abstractmethod
    def strip(self, data: bytes, *, keep_icc: bool = True) -> tuple[bytes, StripReport]:
        """Return the file without identifying metadata, and a report of what went and stayed.

        Args:
            data: the whole file.
            keep_icc: keep the ICC colour profile (colour, not identity). False drops it.

        Raises:
            CorruptMetadataError: the container structure is broken or truncated.
        """

    def strip_pieces(self, data: bytes, *, keep_icc: bool = True) -> tuple[list[Piece], StripReport]:
        """:meth:`strip` as a list of new bytes and :class:`~photoguard.fileio.Span` ranges of
        ``data`` copied verbatim (when writing a file, the kernel copies them). Handlers that
        rewrite little of a large file override this; by default it is the whole of :meth:`strip`."""
        out, report = self.strip(data, keep_icc=keep_icc)
        return [out], report

    def inspect_pieces(self, data: bytes, pieces: list[Piece]) -> MetadataReport:
        """:meth:`inspect` of the output that ``pieces`` (from :meth:`strip_pieces`) describe."""
        return self.inspect(join_pieces(data, pieces))

    def _report(self, items: list) -> MetadataReport:
        return MetadataReport(format=self.format, mime=self.mime, items=items)
