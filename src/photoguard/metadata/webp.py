"""WebP: rewrite the RIFF chunk list; the bitstream chunks are copied byte for byte.

Kept: VP8X (flags fixed), ICCP (unless asked to drop it), ANIM, ANMF, ALPH, VP8, VP8L.
Dropped: EXIF, XMP and every unknown chunk, plus bytes after the RIFF body. The VP8X EXIF/XMP
(and, when dropped, ICC) flags are cleared and the RIFF size recomputed.
"""

from __future__ import annotations

import struct

from photoguard.errors import CorruptMetadataError
from photoguard.metadata.base import MetadataHandler
from photoguard.metadata.blocks import icc_description, trailer_items, xmp_items
from photoguard.metadata.exif import exif_items
from photoguard.metadata.findings import Finding, FindingKind, human_size
from photoguard.metadata.types import MetadataItem, MetadataReport, StripReport

KEEP = {
    b"VP8X": "extended-format header",
    b"ANIM": "animation",
    b"ANMF": "animation frame",
    b"ALPH": "transparency",
    b"VP8 ": "image data (lossy)",
    b"VP8L": "image data (lossless)",
}
FLAG_ICC, FLAG_EXIF, FLAG_XMP = 0x20, 0x08, 0x04


def chunks(data: bytes) -> tuple[list[tuple[bytes, int, int]], int]:
    """``[(fourcc, start, end)]`` (end includes the pad byte) and the RIFF body's end offset."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise CorruptMetadataError("not a WebP (bad RIFF header)")
    riff_end = 8 + struct.unpack_from("<I", data, 4)[0]
    if riff_end > len(data):
        raise CorruptMetadataError("truncated WebP: the RIFF size is larger than the file")
    out, pos = [], 12
    while pos < riff_end:
        if pos + 8 > riff_end:
            raise CorruptMetadataError(f"corrupt WebP: chunk header cut off at byte {pos}")
        fourcc, size = struct.unpack_from("<4sI", data, pos)
        end = pos + 8 + size + (size & 1)
        if pos + 8 + size > riff_end:
            raise CorruptMetadataError(f"truncated WebP: chunk {fourcc!r} at byte {pos} runs past the end")
        out.append((fourcc, pos, min(end, riff_end)))
        pos = end
    if not any(c in (b"VP8 ", b"VP8L", b"ANMF") for c, _, _ in out):
        raise CorruptMetadataError("corrupt WebP: no image data chunk")
    return out, riff_end


class WebpHandler(MetadataHandler):
    """WebP files (lossy, lossless, extended, animated)."""

    format, mime, extensions = "WEBP", "image/webp", (".webp",)

    @staticmethod
    def sniff(head: bytes) -> bool:
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"

    def inspect(self, data: bytes) -> MetadataReport:
        found, riff_end = chunks(data)
        items: list[MetadataItem] = []
        for fourcc, start, _end in found:
            body = data[start + 8 : start + 8 + struct.unpack_from("<I", data, start + 4)[0]]
            if fourcc == b"EXIF":
                items += exif_items(body[6:] if body.startswith(b"Exif\x00\x00") else body)
            elif fourcc == b"XMP ":
                items += xmp_items(body)
            elif fourcc == b"ICCP":
                items.append(MetadataItem("ICC_Profile", "ProfileDescription", icc_description(body)))
            elif fourcc not in KEEP:
                name = fourcc.decode("latin-1").strip()
                size = human_size(len(body))
                items.append(MetadataItem("RIFF", name, f"({size})", Finding(FindingKind.UNKNOWN_CHUNK, size, name)))
        if riff_end < len(data):
            items += trailer_items(data, riff_end)
        return self._report(items)

    def strip(self, data: bytes, *, keep_icc: bool = True) -> tuple[bytes, StripReport]:
        found, riff_end = chunks(data)
        report = StripReport(self.format, self.format, bytes_in=len(data), orientation="WebP has no orientation tag")
        parts: list[bytes] = []
        clear = FLAG_EXIF | FLAG_XMP | (0 if keep_icc else FLAG_ICC)
        for fourcc, start, end in found:
            name, size = fourcc.decode("latin-1").strip(), human_size(end - start)
            if fourcc == b"VP8X":
                chunk = bytearray(data[start:end])
                chunk[8] &= ~clear & 0xFF
                parts.append(bytes(chunk))
                report.keep("VP8X", KEEP[fourcc] + " (EXIF/XMP flags cleared)")
            elif fourcc in KEEP:
                parts.append(data[start:end])
                if fourcc != b"ANMF" or not any(a.what == "ANMF" for a in report.kept):
                    report.keep(name, KEEP[fourcc])
            elif fourcc == b"ICCP" and keep_icc:
                parts.append(data[start:end])
                report.keep(f"ICCP ({size})", "colour, not identity (use keep_icc=False to drop)")
            else:
                why = {
                    "EXIF": "GPS, device, serials, dates, names",
                    "XMP": "creator, location, edit history",
                    "ICCP": "dropped on request (keep_icc=False)",
                }.get(name, "unknown chunk")
                report.remove(f"{name} ({size})", why)
        if riff_end < len(data):
            report.remove(f"data after the RIFF body ({human_size(len(data) - riff_end)})", "hidden appended data")
        body = b"".join(parts)
        out = b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body
        report.bytes_out = len(out)
        return out, report
