"""Report types for metadata inspection and stripping.

Everything a handler finds is a :class:`MetadataItem` (group, tag, value and, when the item
says something about who, where or with which device, a privacy
:class:`~photoguard.metadata.findings.Finding`).
Stripping returns a :class:`StripReport` listing what was removed and what was kept, each with
a reason. Both reports turn into plain JSON-ready dicts with ``to_dict()``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from photoguard.metadata.findings import Finding


@dataclass(frozen=True)
class MetadataItem:
    """One piece of metadata found in a file.

    Attributes:
        group: where it lives, exiftool style: ``"EXIF:GPS"``, ``"XMP"``, ``"IPTC"``,
            ``"PNG:tEXt"``, ``"JPEG:COM"``, ``"Trailer"``...
        tag: the tag or key name (``"GPSLatitude"``, ``"Artist"``, ``"parameters"``).
        value: a short printable rendering of the value.
        finding: a privacy finding (a ``str`` in plain words, ``"location 37.498 N, 127.028 E"``,
            with its ``kind`` and ``value``), or None when the item is not identifying on its own.
    """

    group: str
    tag: str
    value: str
    finding: Finding | None = None


@dataclass
class MetadataReport:
    """What :func:`~photoguard.metadata.inspect_metadata` found in one file."""

    format: str
    mime: str
    items: list[MetadataItem] = field(default_factory=list)
    path: str | None = None

    @property
    def findings(self) -> list[Finding]:
        """Unique privacy findings (by their text), in the order they were found."""
        seen: dict[Finding, None] = {}
        for item in self.items:
            if item.finding:
                seen.setdefault(item.finding, None)
        return list(seen)

    @property
    def groups(self) -> dict[str, list[MetadataItem]]:
        """Items grouped by :attr:`MetadataItem.group`, in order of first appearance."""
        out: dict[str, list[MetadataItem]] = {}
        for item in self.items:
            out.setdefault(item.group, []).append(item)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: path, format, mime, findings, and items grouped."""
        return {
            "path": self.path,
            "format": self.format,
            "mime": self.mime,
            "findings": self.findings,
            "groups": {g: [asdict(i) for i in items] for g, items in self.groups.items()},
        }


@dataclass(frozen=True)
class Action:
    """One thing removed from or kept in a file, and why."""

    what: str
    reason: str


@dataclass
class StripReport:
    """What :func:`~photoguard.metadata.strip_metadata` did to one file.

    Attributes:
        format: input format (``"JPEG"``, ``"PNG"``, ``"WEBP"``, ``"TIFF"``, ``"HEIF"``).
        output_format: format written (the same, except where a handler says otherwise).
        removed / kept: what went and what stayed, each with a reason.
        pixels: how the image data was treated: ``"bit-identical"`` (compressed image data
            copied byte for byte), or a description of the re-encode.
        orientation: how the display orientation was preserved.
        findings: the privacy findings of the input, all of which are gone from the output.
    """

    format: str
    output_format: str
    removed: list[Action] = field(default_factory=list)
    kept: list[Action] = field(default_factory=list)
    pixels: str = "bit-identical"
    orientation: str = "none recorded"
    findings: list[Finding] = field(default_factory=list)
    bytes_in: int = 0
    bytes_out: int = 0
    source: str | None = None
    destination: str | None = None

    def remove(self, what: str, reason: str) -> None:
        """Record a removed item."""
        self.removed.append(Action(what, reason))

    def keep(self, what: str, reason: str) -> None:
        """Record a kept item."""
        self.kept.append(Action(what, reason))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the whole report."""
        return asdict(self)
