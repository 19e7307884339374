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
    _check_canvas(data, out)
    return out, riff_end


def bitstream_size(fourcc: bytes, payload: bytes) -> tuple[int, int] | None:
    """``(width, height)`` from a VP8 (key frame header) or VP8L (signature header) payload;
    None when the header is cut off or malformed."""
    if fourcc == b"VP8 " and len(payload) >= 10 and payload[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", payload, 6)
        return width & 0x3FFF, height & 0x3FFF
    if fourcc == b"VP8L" and len(payload) >= 5 and payload[0] == 0x2F:
        bits = struct.unpack_from("<I", payload, 1)[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _check_canvas(data: bytes, found: list[tuple[bytes, int, int]]) -> None:
    """A still extended WebP must be as large as its VP8X canvas says, or no decoder shows it
    (libwebp refuses the file): refuse it here instead of writing an undecodable copy."""
    header = next(((start, end) for c, start, end in found if c == b"VP8X"), None)
    if header is None or any(c == b"ANMF" for c, _, _ in found) or header[1] - header[0] < 18:
        return
    start = header[0] + 8
    canvas = (
        int.from_bytes(data[start + 4 : start + 7], "little") + 1,
        int.from_bytes(data[start + 7 : start + 10], "little") + 1,
    )
    for fourcc, begin, _end in found:
        if fourcc in (b"VP8 ", b"VP8L"):
            size = struct.unpack_from("<I", data, begin + 4)[0]
            image = bitstream_size(fourcc, data[begin + 8 : begin + 8 + min(size, 16)])
            if image is None:
                raise CorruptMetadataError(f"corrupt WebP: unreadable {fourcc.decode().strip()} image header")
            if image != canvas:
                raise CorruptMetadataError(
                    f"corrupt WebP: the canvas is {canvas[0]}x{canvas[1]} but the image data is {image[0]}x{image[1]}"
                )
            return


class WebpHandler(MetadataHandler):
    """WebP files (lossy, lossless, extended, animated)."""

    format, mime = "WEBP", "image/webp"

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
