"""Human-readable privacy findings: turn raw tags into "location 37.498 N, 127.028 E",
"device serial R5CX…", "embedded thumbnail (5.1 kB)" and the like.

One classifier, :func:`finding_for`, works by tag name so EXIF, XMP, IPTC and PNG text keys
share the same vocabulary.
"""

from __future__ import annotations

import re

_SERIAL = re.compile(r"serial", re.I)

_DEVICE = {
    "make": "device maker",
    "model": "device",
    "cameramodelname": "device",
    "uniquecameramodel": "device",
    "lensmake": "lens maker",
    "lensmodel": "lens",
    "lens": "lens",
    "lensinfo": "lens",
}
_NAMES = {
    "artist": "artist name",
    "creator": "creator name",
    "by-line": "by-line",
    "author": "author",
    "xpauthor": "author",
    "cameraownername": "owner name",
    "ownername": "owner name",
    "copyright": "copyright",
    "rights": "copyright",
    "copyrightnotice": "copyright",
    "credit": "credit",
    "writer-editor": "writer",
    "captionwriter": "writer",
    "contact": "contact",
    "authorsposition": "author title",
    "by-linetitle": "author title",
    "usage terms": "rights",
    "webstatement": "rights URL",
    "source": "source",
}
_DATES = {
    "datetimeoriginal",
    "createdate",
    "datetime",
    "datecreated",
    "modifydate",
    "datetimedigitized",
    "metadatadate",
    "creation time",
    "digitalcreationdate",
    "timecreated",
    "gpsdatestamp",
}
_PLACES = {
    "city",
    "country",
    "state",
    "province-state",
    "sub-location",
    "location",
    "countryname",
    "countrycode",
    "country-primarylocationname",
    "country-primarylocationcode",
    "sublocation",
}
_SOFTWARE = {
    "software": "software",
    "creatortool": "software",
    "processingsoftware": "software",
    "hostcomputer": "computer name",
    "softwareagent": "software",
}
_TEXT = {
    "imagedescription",
    "description",
    "usercomment",
    "xpcomment",
    "xpsubject",
    "xptitle",
    "xpkeywords",
    "caption-abstract",
    "caption",
    "title",
    "keywords",
    "comment",
    "headline",
    "objectname",
    "subject",
    "specialinstructions",
    "label",
}
_IDS = {
    "imageuniqueid",
    "documentid",
    "instanceid",
    "originaldocumentid",
    "derivedfrom",
    "preservedfilename",
    "bursturn",
    "imageid",
    "contentidentifier",
    "mediagroupuuid",
}
_AI = {
    "parameters",
    "prompt",
    "workflow",
    "negative_prompt",
    "negative prompt",
    "sd-metadata",
    "dream",
    "invokeai_metadata",
    "generation_data",
}
_MOTION = {"motionphoto", "microvideo", "motionphotoversion", "microvideooffset", "motionphotopresentationtimestampus"}


def human_size(n: int) -> str:
    """``2_100_000 -> "2.1 MB"``, ``5120 -> "5.1 kB"`` (decimal units)."""
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} MB"
    if n >= 1_000:
        return f"{n / 1e3:.1f} kB"
    return f"{n} B"


def mask(value: str, keep: int = 4) -> str:
    """Show only the first ``keep`` characters: ``"R5CX21ABCDE" -> "R5CX…"``."""
    value = value.strip()
    if len(value) <= keep:
        return value[:1] + "…" if value else "…"
    return value[:keep] + "…"


def trim(value: str, limit: int = 60) -> str:
    """One-line, at most ``limit`` characters."""
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def location_text(lat: float, lon: float) -> str:
    """``(37.4983, -127.028) -> "location 37.498 N, 127.028 W"``."""
    return f"location {abs(lat):.3f} {'N' if lat >= 0 else 'S'}, {abs(lon):.3f} {'E' if lon >= 0 else 'W'}"


def dms_to_degrees(dms: tuple[float, ...] | list[float], ref: str | None) -> float:
    """Degrees/minutes/seconds and an N/S/E/W reference to signed decimal degrees."""
    parts = list(dms) + [0.0, 0.0, 0.0]
    deg = float(parts[0]) + float(parts[1]) / 60.0 + float(parts[2]) / 3600.0
    return -deg if (ref or "").strip().upper()[:1] in ("S", "W") else deg


def xmp_coordinate(value: str) -> float | None:
    """XMP GPS coordinate ``"37,29.898N"`` or ``"37,29,53.9N"`` to signed degrees."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?\s*([NSEW])\s*", value)
    if not m:
        return None
    return dms_to_degrees([float(m[1]), float(m[2]), float(m[3] or 0)], m[4])


def finding_for(tag: str, value: str) -> str | None:
    """Privacy finding for one tag, by name; None when the tag is not identifying on its own."""
    key = tag.lower().split(":")[-1]
    value = str(value).strip()
    if not value or value in ("0", "None"):
        return None
    if _SERIAL.search(key):
        return f"device serial {mask(value)}"
    if key in _DEVICE:
        return f"{_DEVICE[key]} {trim(value, 40)}"
    if key in _NAMES:
        return f"{_NAMES[key]}: {trim(value, 40)}"
    if key in _DATES:
        return f"date {trim(value, 30)}"
    if key in _PLACES:
        return f"place: {trim(value, 40)}"
    if key in _SOFTWARE:
        return f"{_SOFTWARE[key]}: {trim(value, 40)}"
    if key in _TEXT:
        return f"text ({tag}): {trim(value, 50)}"
    if key in _IDS:
        return f"unique ID {mask(value, 6)}"
    if key in _AI:
        return f"AI generation prompt/settings ({tag}): {trim(value, 50)}"
    if key in _MOTION:
        return "motion-photo marker"
    if key.startswith("gps"):
        return "GPS data"
    return None
