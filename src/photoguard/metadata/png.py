"""PNG: rewrite the chunk stream; image data (IDAT) and colour chunks are copied byte for byte.

Kept: critical chunks (IHDR, PLTE, IDAT, IEND), transparency (tRNS), colour (iCCP unless asked to
drop it, sRGB, gAMA, cHRM, cICP, mDCv, cLLi, sBIT), display (pHYs, bKGD) and APNG animation
(acTL, fcTL, fdAT). Dropped: tEXt, zTXt, iTXt (XMP, Stable Diffusion prompts), eXIf, tIME,
caBX (C2PA) and every other ancillary chunk, plus any bytes after IEND.
"""

from __future__ import annotations

import struct
import zlib

from photoguard.errors import CorruptMetadataError
from photoguard.metadata.base import MetadataHandler
from photoguard.metadata.blocks import icc_description, jumbf_items, trailer_items, xmp_items
from photoguard.metadata.exif import exif_items
from photoguard.metadata.findings import Finding, FindingKind, finding_for, human_size, trim
from photoguard.metadata.types import MetadataItem, MetadataReport, StripReport

SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEEP = {
    b"tRNS": "transparency",
    b"sRGB": "colour space",
    b"gAMA": "colour (gamma)",
    b"cHRM": "colour (primaries)",
    b"cICP": "colour (HDR signalling)",
    b"mDCv": "colour (HDR mastering display)",
    b"cLLi": "colour (HDR light level)",
    b"sBIT": "colour (significant bits)",
    b"pHYs": "pixel aspect / density",
    b"bKGD": "background colour",
    b"acTL": "animation",
    b"fcTL": "animation frame",
    b"fdAT": "animation frame data",
}
_MAX_TEXT = 1 << 20  # decompress at most 1 MiB of zTXt/iTXt text when inspecting


def chunks(data: bytes) -> tuple[list[tuple[bytes, int, int]], int]:
    """``[(type, start, end)]`` of every chunk up to IEND (CRC checked), and IEND's end offset."""
    if not data.startswith(SIGNATURE):
        raise CorruptMetadataError("not a PNG (bad signature)")
    out, pos, n = [], len(SIGNATURE), len(data)
    while True:
        if pos + 12 > n:
            raise CorruptMetadataError("truncated PNG: the file ends before the IEND chunk")
        length, ctype = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if end > n:
            raise CorruptMetadataError(f"truncated PNG: chunk {ctype!r} at byte {pos} runs past the end")
        if not ctype.isalpha():
            raise CorruptMetadataError(f"corrupt PNG: invalid chunk type {ctype!r} at byte {pos}")
        crc = struct.unpack_from(">I", data, end - 4)[0]
        if zlib.crc32(data[pos + 4 : end - 4]) != crc:
            raise CorruptMetadataError(f"corrupt PNG: CRC mismatch in chunk {ctype.decode('latin-1')} at byte {pos}")
        out.append((ctype, pos, end))
        pos = end
        if ctype == b"IEND":
            if out[0][0] != b"IHDR":
                raise CorruptMetadataError("corrupt PNG: first chunk is not IHDR")
            ihdr = out[0][1]
            width, height = struct.unpack_from(">II", data, ihdr + 8) if out[0][2] - ihdr >= 20 else (0, 0)
            if width == 0 or height == 0:
                raise CorruptMetadataError(f"corrupt PNG: the image is {width}x{height} pixels")
            return out, pos


#: Largest ICC profile kept, inflated (real profiles are 0.5-600 kB; a zlib bomb of 1 KiB can hold 1 GiB).
MAX_ICC_BYTES = 4 * 1024 * 1024


def _icc_fits(body: memoryview) -> bool:
    """Whether an iCCP chunk's profile inflates to at most :data:`MAX_ICC_BYTES` (and inflates at all)."""
    name_end = bytes(body[:80]).find(b"\x00")
    if name_end < 0:
        return False
    d = zlib.decompressobj()
    try:
        profile = d.decompress(bytes(body[name_end + 2 :]), MAX_ICC_BYTES + 1)
    except zlib.error:
        return False
    return len(profile) <= MAX_ICC_BYTES and not d.unconsumed_tail


def _inflate(raw: bytes) -> bytes:
    d = zlib.decompressobj()
    try:
        return d.decompress(raw, _MAX_TEXT)
    except zlib.error:
        return b"(undecodable compressed text)"


def _text_items(ctype: bytes, body: bytes) -> list[MetadataItem]:
    group = f"PNG:{ctype.decode()}"
    key, _, rest = body.partition(b"\x00")
    keyword = key.decode("latin-1")
    if ctype == b"tEXt":
        text = rest.decode("latin-1")
    elif ctype == b"zTXt":
        text = _inflate(rest[1:]).decode("latin-1")
    else:  # iTXt: compressed flag, method, language\0, translated keyword\0, text
        flag = rest[:1] == b"\x01"
        lang_rest = rest[2:].split(b"\x00", 2)
        raw = lang_rest[2] if len(lang_rest) == 3 else b""
        text = (_inflate(raw) if flag else raw).decode("utf-8", "replace")
    if keyword == "XML:com.adobe.xmp":
        return xmp_items(text.encode("utf-8"))
    finding = finding_for(keyword, text) or Finding(FindingKind.TEXT_CHUNK, trim(text, 50), keyword)
    return [MetadataItem(group, keyword, trim(text, 200), finding)]


class PngHandler(MetadataHandler):
    """PNG and APNG files."""

    format, mime = "PNG", "image/png"

    @staticmethod
    def sniff(head: bytes) -> bool:
        return head.startswith(SIGNATURE)

    def inspect(self, data: bytes) -> MetadataReport:
        found, iend = chunks(data)
        items: list[MetadataItem] = []
        for ctype, start, end in found:
            body = data[start + 8 : end - 4]
            if ctype in (b"tEXt", b"zTXt", b"iTXt"):
                items += _text_items(ctype, body)
            elif ctype == b"eXIf":
                items += exif_items(body)
            elif ctype == b"tIME" and len(body) == 7:
                y, mo, d, h, mi, s = struct.unpack(">HBBBBB", body)
                items.append(
                    MetadataItem(
                        "PNG:tIME",
                        "ModifyDate",
                        f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}",
                        Finding(FindingKind.DATE, f"{y:04d}-{mo:02d}-{d:02d}"),
                    )
                )
            elif ctype == b"iCCP":
                name = body.split(b"\x00", 1)[0].decode("latin-1")
                profile = _inflate(body[len(name) + 2 :])
                items.append(MetadataItem("ICC_Profile", "ProfileDescription", f"{icc_description(profile)} ({name})"))
            elif ctype == b"caBX":
                items += jumbf_items(body, "PNG:caBX")
            elif ctype[0:1].islower() and ctype not in KEEP:
                items.append(
                    MetadataItem(
                        "PNG:unknown",
                        ctype.decode("latin-1"),
                        f"({human_size(len(body))})",
                        Finding(FindingKind.UNKNOWN_CHUNK, human_size(len(body)), ctype.decode("latin-1")),
                    )
                )
        if iend < len(data):
            items += trailer_items(data, iend)
        return self._report(items)

    def strip(self, data: bytes, *, keep_icc: bool = True) -> tuple[bytes, StripReport]:
        found, iend = chunks(data)
        report = StripReport(self.format, self.format, bytes_in=len(data), orientation="PNG has no orientation tag")
        view = memoryview(data)
        parts: list[memoryview] = [view[: len(SIGNATURE)]]
        for ctype, start, end in found:
            name, size = ctype.decode("latin-1"), human_size(end - start)
            if ctype[0:1].isupper():
                parts.append(view[start:end])  # critical: IHDR, PLTE, IDAT, IEND (and unknown critical)
            elif ctype in KEEP:
                parts.append(view[start:end])
                if ctype not in (b"fdAT", b"fcTL"):
                    report.keep(name, KEEP[ctype])
            elif ctype == b"iCCP" and keep_icc and _icc_fits(view[start + 8 : end - 4]):
                parts.append(view[start:end])
                report.keep(f"iCCP ({size})", "colour, not identity (use keep_icc=False to drop)")
            elif ctype == b"iCCP" and keep_icc:
                report.remove(
                    f"{name} ({size})",
                    f"ICC profile over {human_size(MAX_ICC_BYTES)} once inflated "
                    "(a decompression bomb, not a colour profile)",
                )
            else:
                report.remove(
                    f"{name} ({size})", _REASONS.get(ctype, "ancillary chunk not needed to display the image")
                )
        if iend < len(data):
            report.remove(f"data after IEND ({human_size(len(data) - iend)})", "hidden appended data")
        out = b"".join(parts)
        report.bytes_out = len(out)
        return out, report


_REASONS = {
    b"tEXt": "text (author, comments, AI prompts)",
    b"zTXt": "compressed text",
    b"iTXt": "international text / XMP",
    b"eXIf": "EXIF (GPS, device, serials)",
    b"tIME": "modification time",
    b"caBX": "C2PA manifest",
    b"iCCP": "dropped on request (keep_icc=False)",
}
