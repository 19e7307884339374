"""Parsers for metadata blocks shared by several containers: XMP packets, Photoshop image
resources with IPTC-IIM, ICC profile descriptions, C2PA/JUMBF boxes and data appended after
the image (motion-photo videos, MPF secondary images).

They only *describe* blocks for the inspect report; stripping drops the whole block.
"""

from __future__ import annotations

import re
import struct

from photoguard.metadata.findings import (
    Finding,
    FindingKind,
    finding_for,
    human_size,
    location_finding,
    trim,
    xmp_coordinate,
)
from photoguard.metadata.types import MetadataItem

_XMP_ATTR = re.compile(rb'([A-Za-z][\w.-]*):([A-Za-z][\w.-]*)="([^"]*)"')
_XMP_ELEM = re.compile(rb"<([A-Za-z][\w.-]*):([A-Za-z][\w.-]*)(?:\s[^>]*)?>([^<>]+)</\1:\2>")
_XMP_LI = re.compile(rb"<([A-Za-z][\w.-]*):([A-Za-z][\w.-]*)>\s*<rdf:(?:Seq|Bag|Alt)>\s*<rdf:li[^>]*>([^<]*)</rdf:li>")
_XMP_SKIP_PREFIX = {b"xmlns", b"rdf", b"x", b"xml", b"stEvt", b"stRef"}

IPTC_NAMES = {
    5: "ObjectName",
    25: "Keywords",
    40: "SpecialInstructions",
    55: "DateCreated",
    60: "TimeCreated",
    80: "By-line",
    85: "By-lineTitle",
    90: "City",
    92: "Sub-location",
    95: "Province-State",
    100: "Country-PrimaryLocationCode",
    101: "Country-PrimaryLocationName",
    103: "OriginalTransmissionReference",
    105: "Headline",
    110: "Credit",
    115: "Source",
    116: "CopyrightNotice",
    118: "Contact",
    120: "Caption-Abstract",
    122: "Writer-Editor",
}


def xmp_items(packet: bytes, group: str = "XMP") -> list[MetadataItem]:
    """Properties of an XMP packet (attribute and simple element forms), with findings."""
    items: list[MetadataItem] = []
    seen: set[tuple[bytes, bytes]] = set()
    lat = lon = None
    for rx in (_XMP_ATTR, _XMP_ELEM, _XMP_LI):
        for m in rx.finditer(packet):
            prefix, name, raw = m.group(1), m.group(2), m.group(3)
            if prefix in _XMP_SKIP_PREFIX or (prefix, name) in seen:
                continue
            seen.add((prefix, name))
            tag, value = name.decode("utf-8", "replace"), raw.decode("utf-8", "replace").strip()
            if tag == "GPSLatitude":
                lat = xmp_coordinate(value)
            elif tag == "GPSLongitude":
                lon = xmp_coordinate(value)
            items.append(
                MetadataItem(
                    f"{group}-{prefix.decode('utf-8', 'replace')}", tag, trim(value, 200), finding_for(tag, value)
                )
            )
    if lat is not None and lon is not None:
        items.append(MetadataItem(f"{group}-exif", "GPSPosition", f"{lat:.6f} {lon:.6f}", location_finding(lat, lon)))
    if not items:
        items.append(MetadataItem(group, "XMP", f"({human_size(len(packet))} packet)", None))
    return items


def iptc_items(iim: bytes) -> list[MetadataItem]:
    """IPTC-IIM datasets (record 2) with findings."""
    items, pos = [], 0
    while pos + 5 <= len(iim) and iim[pos] == 0x1C:
        record, dataset, size = iim[pos + 1], iim[pos + 2], struct.unpack_from(">H", iim, pos + 3)[0]
        if size & 0x8000:  # extended length: not used for text datasets
            break
        value = iim[pos + 5 : pos + 5 + size]
        pos += 5 + size
        if record != 2 or dataset == 0:
            continue
        tag = IPTC_NAMES.get(dataset, f"Dataset2:{dataset}")
        text = value.decode("utf-8", "replace").strip()
        items.append(MetadataItem("IPTC", tag, trim(text, 200), finding_for(tag, text)))
    return items


def photoshop_items(irb: bytes) -> list[MetadataItem]:
    """Photoshop image resource blocks (8BIM); IPTC (0x0404) is decoded, others are listed."""
    items, pos = [], 0
    while pos + 12 <= len(irb) and irb[pos : pos + 4] == b"8BIM":
        rid = struct.unpack_from(">H", irb, pos + 4)[0]
        nlen = irb[pos + 6]
        name_end = pos + 7 + nlen + ((nlen + 1) % 2)
        if name_end + 4 > len(irb):
            break
        size = struct.unpack_from(">I", irb, name_end)[0]
        body = irb[name_end + 4 : name_end + 4 + size]
        pos = name_end + 4 + size + (size % 2)
        if rid == 0x0404:
            items += iptc_items(body)
        elif rid == 0x0409 or rid == 0x040C:
            items.append(
                MetadataItem(
                    "Photoshop",
                    "PhotoshopThumbnail",
                    f"({human_size(len(body))})",
                    Finding(FindingKind.THUMBNAIL, human_size(len(body))),
                )
            )
        else:
            items.append(MetadataItem("Photoshop", f"Resource0x{rid:04X}", f"({human_size(len(body))})", None))
    if not items:
        items.append(MetadataItem("Photoshop", "ImageResources", f"({human_size(len(irb))})", None))
    return items


def icc_description(profile: bytes) -> str:
    """The profile's ``desc`` text (v2 ``desc`` or v4 ``mluc``), or ``"unnamed"``."""
    try:
        count = struct.unpack_from(">I", profile, 128)[0]
        for i in range(min(count, 100)):
            sig, off, size = struct.unpack_from(">4sII", profile, 132 + 12 * i)
            if sig != b"desc":
                continue
            body = profile[off : off + size]
            if body[:4] == b"desc":
                n = struct.unpack_from(">I", body, 8)[0]
                return body[12 : 12 + n].split(b"\x00", 1)[0].decode("latin-1").strip() or "unnamed"
            if body[:4] == b"mluc":
                rlen, roff = struct.unpack_from(">II", body, 20)
                return body[roff : roff + rlen].decode("utf-16-be", "replace").strip("\x00 ") or "unnamed"
    except struct.error:
        pass
    return "unnamed"


def jumbf_items(payload: bytes, group: str = "JUMBF") -> list[MetadataItem]:
    """A C2PA/JUMBF block: its labels (``c2pa``, manifest names) and size."""
    labels = sorted({m.decode("ascii", "replace") for m in re.findall(rb"(c2pa[\w.:-]*|jumd)", payload)})[:5]
    c2pa = any(lbl.startswith("c2pa") for lbl in labels)
    kind = "C2PA content-credentials manifest" if c2pa else "JUMBF box"
    size = human_size(len(payload))
    finding = Finding(FindingKind.C2PA if c2pa else FindingKind.JUMBF, size)
    return [MetadataItem(group, "JUMBF", f"{kind} ({size})", finding)]


def trailer_items(data: bytes, start: int = 0) -> list[MetadataItem]:
    """Describe the bytes ``data[start:]`` appended after the image's end (motion-photo video,
    MPF secondary images, junk). Works with offsets and ``find`` only, so ``data`` may be an
    ``mmap``: a 2 MB video is never copied."""
    size_all = len(data) - start
    items = []
    ftyp = data.find(b"ftyp", start)
    first_jpeg = data.find(b"\xff\xd8\xff", start, ftyp if ftyp >= 0 else len(data))
    if first_jpeg >= 0:
        end = ftyp - 4 if ftyp >= start + 4 else len(data)
        count, pos = 0, first_jpeg
        while pos >= 0:
            count, pos = count + 1, data.find(b"\xff\xd8\xff", pos + 3, end)
        size = human_size(end - start)
        items.append(
            MetadataItem(
                "Trailer",
                "SecondaryImages",
                f"{count} JPEG image(s), {size}",
                Finding(FindingKind.SECONDARY_IMAGES, f"{count}, {size}"),
            )
        )
    if ftyp >= start + 4:
        size = human_size(len(data) - (ftyp - 4))
        video = Finding(FindingKind.MOTION_VIDEO, size)
        items.append(MetadataItem("Trailer", "MotionPhotoVideo", f"MP4 video, {size}", video))
    if not items:
        if size_all <= 65536 and not data[start:].strip(b"\x00"):
            return [MetadataItem("Trailer", "Padding", f"({human_size(size_all)} of zero bytes)", None)]
        items.append(
            MetadataItem(
                "Trailer",
                "TrailingData",
                f"({human_size(size_all)})",
                Finding(FindingKind.TRAILING_DATA, human_size(size_all)),
            )
        )
    return items
