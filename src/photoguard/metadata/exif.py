"""TIFF/EXIF structure: read IFDs, list their tags as findings, build a minimal EXIF.

Used for EXIF blocks inside JPEG, PNG (eXIf), WebP and HEIF, and for TIFF files themselves
(where the IFDs *are* the image). Only classic TIFF (not BigTIFF) is read.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from photoguard.errors import CorruptMetadataError
from photoguard.metadata.findings import Finding, FindingKind, dms_to_degrees, finding_for, human_size, location_finding
from photoguard.metadata.types import MetadataItem

#: bytes per value for each TIFF field type
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_FMT = {1: "B", 3: "H", 4: "I", 6: "b", 8: "h", 9: "i", 11: "f", 12: "d", 13: "I"}

EXIF_IFD, GPS_IFD, INTEROP_IFD, SUB_IFDS = 0x8769, 0x8825, 0xA005, 0x014A
ORIENTATION = 0x0112

TAG_NAMES = {
    0x00FE: "NewSubfileType",
    0x0100: "ImageWidth",
    0x0101: "ImageHeight",
    0x0102: "BitsPerSample",
    0x0103: "Compression",
    0x0106: "PhotometricInterpretation",
    0x010D: "DocumentName",
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x0111: "StripOffsets",
    0x0112: "Orientation",
    0x0115: "SamplesPerPixel",
    0x0116: "RowsPerStrip",
    0x0117: "StripByteCounts",
    0x011A: "XResolution",
    0x011B: "YResolution",
    0x011C: "PlanarConfiguration",
    0x011D: "PageName",
    0x0128: "ResolutionUnit",
    0x0131: "Software",
    0x0132: "ModifyDate",
    0x013B: "Artist",
    0x013C: "HostComputer",
    0x013D: "Predictor",
    0x0140: "ColorMap",
    0x0142: "TileWidth",
    0x0143: "TileLength",
    0x0144: "TileOffsets",
    0x0145: "TileByteCounts",
    0x014A: "SubIFDs",
    0x0152: "ExtraSamples",
    0x0153: "SampleFormat",
    0x0201: "ThumbnailOffset",
    0x0202: "ThumbnailLength",
    0x0213: "YCbCrPositioning",
    0x02BC: "XMLPacket",
    0x8298: "Copyright",
    0x83BB: "IPTC-NAA",
    0x8649: "PhotoshopSettings",
    0x8769: "ExifOffset",
    0x8773: "ICC_Profile",
    0x8825: "GPSInfo",
    0x9C9B: "XPTitle",
    0x9C9C: "XPComment",
    0x9C9D: "XPAuthor",
    0x9C9E: "XPKeywords",
    0x9C9F: "XPSubject",
    0xC4A5: "PrintIM",
    0xC62F: "CameraSerialNumber",
    0xC614: "UniqueCameraModel",
    # Exif IFD
    0x829A: "ExposureTime",
    0x829D: "FNumber",
    0x8827: "ISO",
    0x9000: "ExifVersion",
    0x9003: "DateTimeOriginal",
    0x9004: "CreateDate",
    0x9010: "OffsetTime",
    0x9011: "OffsetTimeOriginal",
    0x920A: "FocalLength",
    0x927C: "MakerNote",
    0x9286: "UserComment",
    0x9290: "SubSecTime",
    0x9291: "SubSecTimeOriginal",
    0xA002: "ExifImageWidth",
    0xA003: "ExifImageHeight",
    0xA005: "InteropOffset",
    0xA420: "ImageUniqueID",
    0xA430: "CameraOwnerName",
    0xA431: "BodySerialNumber",
    0xA432: "LensInfo",
    0xA433: "LensMake",
    0xA434: "LensModel",
    0xA435: "LensSerialNumber",
}
#: GPS IFD tag numbers overlap other IFDs' small numbers (Interop 1 and 2): named in the GPS IFD only.
GPS_TAG_NAMES = {
    0x0000: "GPSVersionID",
    0x0001: "GPSLatitudeRef",
    0x0002: "GPSLatitude",
    0x0003: "GPSLongitudeRef",
    0x0004: "GPSLongitude",
    0x0005: "GPSAltitudeRef",
    0x0006: "GPSAltitude",
    0x0007: "GPSTimeStamp",
    0x0011: "GPSImgDirection",
    0x0012: "GPSMapDatum",
    0x001B: "GPSProcessingMethod",
    0x001D: "GPSDateStamp",
}


@dataclass
class Entry:
    """One IFD entry; ``raw`` holds the value bytes (inline or pointed to)."""

    tag: int
    type: int
    count: int
    raw: bytes


@dataclass
class Ifd:
    """An image file directory: its entries by tag, its offset, and the next IFD's offset."""

    offset: int
    entries: dict[int, Entry] = field(default_factory=dict)
    next_offset: int = 0


class TiffReader:
    """Reads IFDs from a classic TIFF byte string (``II*\\0`` or ``MM\\0*``)."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 8 or data[:4] not in (b"II*\x00", b"MM\x00*"):
            raise CorruptMetadataError("not a TIFF/EXIF structure (bad byte-order header)")
        self.data = data
        self.bo = "<" if data[:2] == b"II" else ">"
        self.first_offset = self.u32(4)

    def u16(self, pos: int) -> int:
        return struct.unpack_from(self.bo + "H", self.data, pos)[0]

    def u32(self, pos: int) -> int:
        return struct.unpack_from(self.bo + "I", self.data, pos)[0]

    def read_ifd(self, offset: int) -> Ifd:
        """Parse the IFD at ``offset``; raise :class:`CorruptMetadataError` if out of bounds."""
        data = self.data
        if offset < 8 or offset + 2 > len(data):
            raise CorruptMetadataError(f"IFD offset {offset} is outside the file")
        n = self.u16(offset)
        end = offset + 2 + 12 * n
        if end + 4 > len(data):
            raise CorruptMetadataError(f"IFD at {offset} is truncated ({n} entries)")
        ifd = Ifd(offset, next_offset=self.u32(end))
        for i in range(n):
            pos = offset + 2 + 12 * i
            tag, typ, count = struct.unpack_from(self.bo + "HHI", data, pos)
            size = TYPE_SIZES.get(typ, 1) * count
            if size <= 4:
                raw = data[pos + 8 : pos + 8 + size]
            else:
                ptr = self.u32(pos + 8)
                if ptr + size > len(data):
                    raise CorruptMetadataError(f"tag 0x{tag:04x} points past the end of the data")
                raw = data[ptr : ptr + size]
            ifd.entries[tag] = Entry(tag, typ, count, raw)
        return ifd

    def chain(self, offset: int | None = None, limit: int = 64) -> list[Ifd]:
        """The IFD chain starting at ``offset`` (default: IFD0), loop-safe."""
        out: list[Ifd] = []
        seen: set[int] = set()
        offset = self.first_offset if offset is None else offset
        while offset and offset not in seen and len(out) < limit:
            seen.add(offset)
            ifd = self.read_ifd(offset)
            out.append(ifd)
            offset = ifd.next_offset
        return out

    def values(self, e: Entry) -> list:
        """Decode an entry's numeric values (rationals as floats)."""
        if e.type in (5, 10):
            nums = struct.unpack(f"{self.bo}{2 * e.count}{'I' if e.type == 5 else 'i'}", e.raw[: 8 * e.count])
            return [a / b if b else 0.0 for a, b in zip(nums[::2], nums[1::2])]
        if e.type in _FMT:
            return list(struct.unpack(f"{self.bo}{e.count}{_FMT[e.type]}", e.raw[: TYPE_SIZES[e.type] * e.count]))
        return []

    def first(self, e: Entry, default: int = 0) -> int:
        """The entry's first value as an integer (tags such as Compression, NewSubfileType,
        Orientation), or ``default`` when it has none (a count-0 tag)."""
        values = self.values(e)
        return int(values[0]) if values else default

    def offset(self, e: Entry) -> int:
        """A pointer tag's offset (a sub-IFD).

        Raises:
            CorruptMetadataError: the tag holds no value.
        """
        if not self.values(e):
            raise CorruptMetadataError(f"corrupt TIFF/EXIF: tag {e.tag} points nowhere (no value)")
        return self.first(e)

    def text(self, e: Entry) -> str:
        """Render an entry as a short string."""
        if e.type == 2:
            return e.raw.split(b"\x00", 1)[0].decode("utf-8", "replace").strip()
        if e.tag in (0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F):  # XP* tags: UTF-16LE in BYTE arrays
            return e.raw.decode("utf-16-le", "replace").rstrip("\x00").strip()
        if e.tag == 0x9286:  # UserComment: 8-byte charset prefix
            body = e.raw[8:]
            enc = (
                "utf-16-be"
                if e.raw[:8].startswith(b"UNICODE") and self.bo == ">"
                else ("utf-16-le" if e.raw[:8].startswith(b"UNICODE") else "latin-1")
            )
            return body.decode(enc, "replace").rstrip("\x00 ").strip()
        if e.type in (1, 6, 7):
            if e.count > 16:
                return f"({human_size(e.count)} binary)"
            printable = e.raw.rstrip(b"\x00")
            if printable and all(32 <= b < 127 for b in printable):
                return printable.decode("ascii")
            return " ".join(str(b) for b in e.raw)
        vals = self.values(e)
        if len(vals) > 8:
            return f"({len(vals)} values)"
        return " ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in vals)


def orientation_of(tiff: bytes) -> int | None:
    """The Orientation (1..8) in IFD0 of an EXIF/TIFF block, or None if absent or unreadable."""
    try:
        r = TiffReader(tiff)
        e = r.read_ifd(r.first_offset).entries.get(ORIENTATION)
        if e is None:
            return None
        v = r.values(e)
        return int(v[0]) if v and 1 <= int(v[0]) <= 8 else None
    except (CorruptMetadataError, struct.error):
        return None


def minimal_orientation_exif(orientation: int) -> bytes:
    """An EXIF APP1 payload (``Exif\\0\\0`` + TIFF) holding only IFD0 Orientation, nothing else."""
    return b"Exif\x00\x00MM\x00*\x00\x00\x00\x08" + struct.pack(">HHHIHHI", 1, ORIENTATION, 3, 1, orientation, 0, 0)


def _ifd_items(r: TiffReader, ifd: Ifd, group: str, names: dict[int, str]) -> list[MetadataItem]:
    items = []
    for tag, e in ifd.entries.items():
        name = names.get(tag) or TAG_NAMES.get(tag) or f"Tag0x{tag:04X}"
        if tag in (EXIF_IFD, GPS_IFD, INTEROP_IFD, SUB_IFDS):
            continue
        value = r.text(e)
        finding = finding_for(name, value)
        if tag == 0x927C:
            finding = Finding(FindingKind.MAKER_NOTES, human_size(len(e.raw)))
        items.append(MetadataItem(group, name, value, finding))
    return items


def _gps_items(r: TiffReader, ifd: Ifd) -> list[MetadataItem]:
    items = _ifd_items(r, ifd, "EXIF:GPS", GPS_TAG_NAMES)
    lat, lon = ifd.entries.get(2), ifd.entries.get(4)
    if lat is not None and lon is not None:
        lat_ref = r.text(ifd.entries[1]) if 1 in ifd.entries else "N"
        lon_ref = r.text(ifd.entries[3]) if 3 in ifd.entries else "E"
        try:
            where = location_finding(dms_to_degrees(r.values(lat), lat_ref), dms_to_degrees(r.values(lon), lon_ref))
        except (struct.error, IndexError):
            where = Finding(FindingKind.LOCATION_UNREADABLE)
        items = [MetadataItem(i.group, i.tag, i.value, where if i.tag == "GPSLatitude" else i.finding) for i in items]
    if 6 in ifd.entries:
        alt = r.values(ifd.entries[6])
        height = Finding(FindingKind.ALTITUDE, f"{alt[0]:.0f}") if alt else None
        items = [
            MetadataItem(i.group, i.tag, i.value, height if i.tag == "GPSAltitude" and height else i.finding)
            for i in items
        ]
    return items


def exif_items(tiff: bytes, group: str = "EXIF", *, ifd1_is_thumbnail: bool = True) -> list[MetadataItem]:
    """Every tag in an EXIF/TIFF block (IFD0, Exif, GPS, Interop, IFD1 thumbnail) as items.

    In EXIF, IFD1 is the thumbnail; in a TIFF file (``ifd1_is_thumbnail=False``) later IFDs are
    pages, and only reduced-resolution ones (NewSubfileType bit 0) are thumbnails. An unreadable
    block gives one item saying so, never an exception: it is removed anyway.
    """
    try:
        r = TiffReader(tiff)
        ifds = r.chain()
    except (CorruptMetadataError, struct.error) as exc:
        unreadable = Finding(FindingKind.EXIF_UNREADABLE, human_size(len(tiff)))
        return [MetadataItem(group, "EXIF", f"unreadable ({exc})", unreadable)]
    items: list[MetadataItem] = []
    for index, ifd in enumerate(ifds):
        name = f"{group}:IFD{index}"
        items += _ifd_items(r, ifd, name, {})
        reduced = 0x00FE in ifd.entries and bool(r.first(ifd.entries[0x00FE]) & 1)
        if (
            index > 0
            and ((index == 1 and ifd1_is_thumbnail) or reduced)
            and (0x0201 in ifd.entries or 0x0111 in ifd.entries)
        ):
            length_tag = 0x0202 if 0x0202 in ifd.entries else 0x0117
            length = sum(r.values(ifd.entries[length_tag])) if length_tag in ifd.entries else 0
            items.append(
                MetadataItem(
                    name,
                    "ThumbnailImage",
                    f"({human_size(int(length))})",
                    Finding(FindingKind.THUMBNAIL, human_size(int(length))),
                )
            )
        for tag, sub in ((EXIF_IFD, "ExifIFD"), (GPS_IFD, "GPS"), (INTEROP_IFD, "InteropIFD")):
            if tag not in ifd.entries:
                continue
            try:
                sub_ifd = r.read_ifd(r.offset(ifd.entries[tag]))
                items += _gps_items(r, sub_ifd) if sub == "GPS" else _ifd_items(r, sub_ifd, f"{group}:{sub}", {})
                if tag == EXIF_IFD and INTEROP_IFD in sub_ifd.entries:
                    interop = r.read_ifd(r.offset(sub_ifd.entries[INTEROP_IFD]))
                    items += _ifd_items(r, interop, f"{group}:InteropIFD", {1: "InteropIndex", 2: "InteropVersion"})
            except (CorruptMetadataError, struct.error, IndexError) as exc:
                items.append(MetadataItem(f"{group}:{sub}", sub, f"unreadable ({exc})", None))
    return items
