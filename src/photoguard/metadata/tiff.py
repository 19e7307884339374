"""TIFF: rebuild the file from an allow-list of image-structure tags; strips and tiles are
copied byte for byte, so the pixels are identical.

Everything not needed to decode and display the image goes: IFD0 identity tags (Artist, Make,
Model, Software, DateTime, ImageDescription, Copyright, HostComputer, DocumentName, PageName...),
the EXIF, GPS and Interop sub-IFDs, XMP (700), IPTC (33723), Photoshop resources (34377),
SubIFDs (330, previews), reduced-resolution pages (thumbnails) and unknown/private tags.
BigTIFF and old-style JPEG-in-TIFF are refused rather than rewritten unsafely.
"""

from __future__ import annotations

import struct

from photoguard.errors import CorruptMetadataError, UnsupportedFormatError
from photoguard.metadata.base import MetadataHandler
from photoguard.metadata.blocks import iptc_items, photoshop_items, xmp_items
from photoguard.metadata.exif import TAG_NAMES, TYPE_SIZES, Ifd, TiffReader, exif_items
from photoguard.metadata.findings import human_size
from photoguard.metadata.types import MetadataReport, StripReport

#: tags needed to decode and display the image (TIFF 6.0 baseline + common extensions)
STRUCTURE = {
    254,
    256,
    257,
    258,
    259,
    262,
    266,
    273,
    274,
    277,
    278,
    279,
    282,
    283,
    284,
    296,
    297,
    301,
    317,
    318,
    319,
    320,
    322,
    323,
    324,
    325,
    338,
    339,
    340,
    341,
    347,
    529,
    530,
    531,
    532,
}
ICC_TAG = 34675
_DATA_TAGS = ((273, 279), (324, 325))  # (offsets, byte counts): strips, tiles


def _check(data: bytes) -> None:
    if data[:4] in (b"II+\x00", b"MM\x00+"):
        raise UnsupportedFormatError("BigTIFF files are not supported (use exiftool for these)")


def _blocks(r: TiffReader, ifd: Ifd) -> tuple[int, int, list[tuple[int, int]]]:
    for off_tag, cnt_tag in _DATA_TAGS:
        if off_tag in ifd.entries:
            if cnt_tag not in ifd.entries:
                raise CorruptMetadataError(f"corrupt TIFF: tag {off_tag} without its byte counts")
            offsets, counts = r.values(ifd.entries[off_tag]), r.values(ifd.entries[cnt_tag])
            if len(offsets) != len(counts):
                raise CorruptMetadataError("corrupt TIFF: strip/tile offsets and byte counts differ in number")
            for o, c in zip(offsets, counts):
                if o + c > len(r.data):
                    raise CorruptMetadataError(f"truncated TIFF: image data at byte {o} runs past the end")
            return off_tag, cnt_tag, list(zip(offsets, counts))
    raise CorruptMetadataError("corrupt TIFF: a page has no strip or tile offsets")


def _pad(out: bytearray) -> None:
    if len(out) & 1:
        out += b"\x00"


def _write_ifd(out: bytearray, bo: str, entries: list[tuple[int, int, int, bytes]]) -> tuple[int, int]:
    """Append an IFD and its out-of-line values; return (IFD offset, offset of its next pointer)."""
    _pad(out)
    start = len(out)
    ext = start + 2 + 12 * len(entries) + 4
    table, extra = bytearray(struct.pack(bo + "H", len(entries))), bytearray()
    for tag, typ, count, raw in sorted(entries):
        table += struct.pack(bo + "HHI", tag, typ, count)
        if len(raw) <= 4:
            table += raw.ljust(4, b"\x00")
        else:
            table += struct.pack(bo + "I", ext + len(extra))
            extra += raw + (b"\x00" if len(raw) & 1 else b"")
    next_ptr = start + len(table)
    out += table + b"\x00\x00\x00\x00" + extra
    return start, next_ptr


class TiffHandler(MetadataHandler):
    """Classic TIFF files (not BigTIFF, not camera RAW)."""

    format, mime = "TIFF", "image/tiff"

    @staticmethod
    def sniff(head: bytes) -> bool:
        return head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")

    def inspect(self, data: bytes) -> MetadataReport:
        _check(data)
        r = TiffReader(data)
        ifds = r.chain()
        structural = {TAG_NAMES.get(t) for t in STRUCTURE | {ICC_TAG, 700, 33723, 34377}}
        items = [i for i in exif_items(data, "TIFF", ifd1_is_thumbnail=False) if i.tag not in structural]
        for ifd in ifds:
            if 700 in ifd.entries:
                items += xmp_items(ifd.entries[700].raw)
            if 33723 in ifd.entries:
                items += iptc_items(ifd.entries[33723].raw)
            if 34377 in ifd.entries:
                items += photoshop_items(ifd.entries[34377].raw)
        return self._report(items)

    def strip(self, data: bytes, *, keep_icc: bool = True) -> tuple[bytes, StripReport]:
        _check(data)
        r = TiffReader(data)
        ifds = r.chain()
        report = StripReport(self.format, self.format, bytes_in=len(data))
        keep_tags = STRUCTURE | ({ICC_TAG} if keep_icc else set())
        out = bytearray(data[:4] + b"\x00\x00\x00\x00")
        prev_ptr = 4
        for index, ifd in enumerate(ifds):
            subfile = r.first(ifd.entries[254], 0) if 254 in ifd.entries else 0
            if index > 0 and subfile & 1:
                report.remove(
                    f"page {index} (reduced-resolution, {human_size(sum(c for _, c in _blocks(r, ifd)[2]))})",
                    "thumbnail / preview of the image",
                )
                continue
            if 259 in ifd.entries and r.first(ifd.entries[259]) == 6:
                raise UnsupportedFormatError("old-style JPEG-in-TIFF (compression 6) is not supported")
            off_tag, cnt_tag, blocks = _blocks(r, ifd)
            new_offsets = []
            for o, c in blocks:
                _pad(out)
                new_offsets.append(len(out))
                out += data[o : o + c]
            entries = []
            for tag, e in ifd.entries.items():
                if tag == off_tag:
                    entries.append((tag, 4, len(new_offsets), struct.pack(f"{r.bo}{len(new_offsets)}I", *new_offsets)))
                elif tag in keep_tags and tag not in (273, 324) and e.type in TYPE_SIZES:
                    entries.append((tag, e.type, e.count, e.raw))
                    if tag == ICC_TAG:
                        report.keep(
                            f"ICC profile ({human_size(len(e.raw))})",
                            "colour, not identity (use keep_icc=False to drop)",
                        )
                else:
                    name = TAG_NAMES.get(tag, f"Tag0x{tag:04X}")
                    report.remove(f"{'IFD0' if index == 0 else f'page {index}'} {name}", _why(tag))
            start, next_ptr = _write_ifd(out, r.bo, entries)
            struct.pack_into(r.bo + "I", out, prev_ptr, start)
            prev_ptr = next_ptr
        orientation = r.first(ifds[0].entries[274]) if 274 in ifds[0].entries else None
        if orientation:
            report.orientation = f"kept the Orientation tag ({orientation}) in IFD0"
            report.keep(f"Orientation={orientation}", "so the image still displays upright")
        report.keep("image structure tags and strip/tile data", "needed to decode the pixels (copied byte for byte)")
        report.bytes_out = len(out)
        return bytes(out), report


def _why(tag: int) -> str:
    return {
        0x8769: "EXIF sub-IFD: device, serials, dates",
        0x8825: "GPS sub-IFD: location",
        700: "XMP packet",
        33723: "IPTC: names, places, captions",
        34377: "Photoshop resources",
        330: "SubIFDs: previews",
        34675: "dropped on request (keep_icc=False)",
    }.get(tag, "not needed to display the image")
