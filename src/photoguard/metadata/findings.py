"""Privacy findings: what a tag says about who, where and with which device, as a
:class:`Finding` (a kind from :class:`FindingKind` plus the value it carries) whose text is the
kind's English wording: ``"location 37.498 N, 127.028 E"``, ``"device serial R5CX…"``,
``"embedded thumbnail (5.1 kB; may show the uncropped original)"``.

:class:`FindingKind` is the one table of kinds and their wordings; every handler builds its
findings from it, and the app words each kind for its reader by ``finding.kind``, never by
parsing the text. One classifier, :func:`finding_for`, works by tag name so EXIF, XMP, IPTC and
PNG text keys share the same vocabulary.

Example::

    >>> f = Finding(FindingKind.LOCATION, "37.498 N, 127.028 E")
    >>> f
    'location 37.498 N, 127.028 E'
    >>> f.kind is FindingKind.LOCATION, f.value
    (True, '37.498 N, 127.028 E')
    >>> finding_for("BodySerialNumber", "R5CX21ABCDEF").kind
    <FindingKind.SERIAL: 'serial'>
"""

from __future__ import annotations

import re
from enum import StrEnum


class FindingKind(StrEnum):
    """Every kind of privacy finding, each with its English wording.

    The wording is a :meth:`str.format` template over ``{value}`` (what was found: a masked
    serial, a size, a date) and ``{where}`` (the tag, chunk or segment it was found in).
    """

    template: str

    def __new__(cls, name: str, template: str) -> FindingKind:
        member = str.__new__(cls, name)
        member._value_ = name
        member.template = template
        return member

    # where
    LOCATION = "location", "location {value}"
    LOCATION_UNREADABLE = "location unreadable", "location (unreadable coordinates)"
    GPS = "gps", "GPS data"
    ALTITUDE = "altitude", "altitude {value} m"
    PLACE = "place", "place: {value}"
    # with which device
    SERIAL = "serial", "device serial {value}"
    MAKER = "maker", "device maker {value}"
    DEVICE = "device", "device {value}"
    LENS_MAKER = "lens maker", "lens maker {value}"
    LENS = "lens", "lens {value}"
    MAKER_NOTES = "maker notes", "maker notes ({value}, vendor-specific, often holds serials)"
    SOFTWARE = "software", "software: {value}"
    COMPUTER = "computer", "computer name: {value}"
    # who
    ARTIST = "artist", "artist name: {value}"
    CREATOR = "creator", "creator name: {value}"
    BY_LINE = "by-line", "by-line: {value}"
    AUTHOR = "author", "author: {value}"
    AUTHOR_TITLE = "author title", "author title: {value}"
    OWNER = "owner", "owner name: {value}"
    COPYRIGHT = "copyright", "copyright: {value}"
    CREDIT = "credit", "credit: {value}"
    WRITER = "writer", "writer: {value}"
    CONTACT = "contact", "contact: {value}"
    RIGHTS = "rights", "rights: {value}"
    RIGHTS_URL = "rights URL", "rights URL: {value}"
    SOURCE = "source", "source: {value}"
    # when, and which photo
    DATE = "date", "date {value}"
    ID = "id", "unique ID {value}"
    # words
    TEXT = "text", "text ({where}): {value}"
    TEXT_CHUNK = "text chunk", "text chunk {where!r}: {value}"
    AI_PROMPT = "ai prompt", "AI generation prompt/settings ({where}): {value}"
    # hidden pictures and data
    THUMBNAIL = "thumbnail", "embedded thumbnail ({value}; may show the uncropped original)"
    SECONDARY_IMAGES = "secondary images", "appended secondary image(s) ({value}: depth/gain map or preview)"
    IMAGE_COUNT = "image count", "{value} images in the file (bursts, edits or previews)"
    DEPTH_MAP = "depth map", "depth map image"
    AUX_IMAGE = "aux image", "auxiliary image ({value})"
    MULTI_PICTURE = "multi-picture", "multi-picture index (secondary images: depth/gain maps)"
    MOTION_MARKER = "motion marker", "motion-photo marker"
    MOTION_VIDEO = "motion video", "motion-photo video, {value}"
    EXTENDED_XMP = "extended xmp", "extended XMP ({value}; often depth maps or edits)"
    C2PA = "c2pa", "C2PA content-credentials manifest ({value}; may name the creator, device and edit history)"
    JUMBF = "jumbf", "JUMBF box ({value}; may name the creator, device and edit history)"
    EXIF_UNREADABLE = "exif unreadable", "EXIF block ({value}, unreadable)"
    APP_SEGMENT = "app segment", "application segment {where} ({value})"
    METADATA_ITEM = "metadata item", "metadata item {where} ({value})"
    UNKNOWN_CHUNK = "unknown chunk", "unknown chunk {where} ({value})"
    TRAILING_DATA = "trailing data", "data after the image end ({value})"


class Finding(str):
    """One privacy finding: a :class:`FindingKind` and what it carries, as its English text.

    A ``str`` (the kind's template filled in), so it prints, compares, dedupes and serialises
    to JSON as the text; ``kind``, ``value`` and ``where`` keep the parts for readers that word
    it themselves. Pickles with its parts (the batch sends reports between processes).

    Args:
        kind: the kind (or its name, ``"location"``).
        value: what was found, already shortened or masked for display.
        where: the tag, chunk or segment name, for kinds whose wording names it.
    """

    kind: FindingKind
    value: str
    where: str

    def __new__(cls, kind: FindingKind | str, value: str = "", where: str = "") -> Finding:
        kind = FindingKind(kind)  # type: ignore[call-arg]  # a look-up by name, not a new member
        self = super().__new__(cls, kind.template.format(value=value, where=where))
        self.kind, self.value, self.where = kind, value, where
        return self

    def __getnewargs__(self) -> tuple[str, str, str]:  # type: ignore[override]
        return (self.kind.value, self.value, self.where)


_SERIAL = re.compile(r"serial", re.I)

_DEVICE = {
    "make": FindingKind.MAKER,
    "model": FindingKind.DEVICE,
    "cameramodelname": FindingKind.DEVICE,
    "uniquecameramodel": FindingKind.DEVICE,
    "lensmake": FindingKind.LENS_MAKER,
    "lensmodel": FindingKind.LENS,
    "lens": FindingKind.LENS,
    "lensinfo": FindingKind.LENS,
}
_NAMES = {
    "artist": FindingKind.ARTIST,
    "creator": FindingKind.CREATOR,
    "by-line": FindingKind.BY_LINE,
    "author": FindingKind.AUTHOR,
    "xpauthor": FindingKind.AUTHOR,
    "cameraownername": FindingKind.OWNER,
    "ownername": FindingKind.OWNER,
    "copyright": FindingKind.COPYRIGHT,
    "rights": FindingKind.COPYRIGHT,
    "copyrightnotice": FindingKind.COPYRIGHT,
    "credit": FindingKind.CREDIT,
    "writer-editor": FindingKind.WRITER,
    "captionwriter": FindingKind.WRITER,
    "contact": FindingKind.CONTACT,
    "authorsposition": FindingKind.AUTHOR_TITLE,
    "by-linetitle": FindingKind.AUTHOR_TITLE,
    "usage terms": FindingKind.RIGHTS,
    "webstatement": FindingKind.RIGHTS_URL,
    "source": FindingKind.SOURCE,
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
    "software": FindingKind.SOFTWARE,
    "creatortool": FindingKind.SOFTWARE,
    "processingsoftware": FindingKind.SOFTWARE,
    "hostcomputer": FindingKind.COMPUTER,
    "softwareagent": FindingKind.SOFTWARE,
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


def location_finding(lat: float, lon: float) -> Finding:
    """``(37.4983, -127.028) -> "location 37.498 N, 127.028 W"``: a :attr:`FindingKind.LOCATION`
    finding whose value is the rounded position (about 100 m)."""
    return Finding(
        FindingKind.LOCATION, f"{abs(lat):.3f} {'N' if lat >= 0 else 'S'}, {abs(lon):.3f} {'E' if lon >= 0 else 'W'}"
    )


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


def finding_for(tag: str, value: str) -> Finding | None:
    """Privacy finding for one tag, by name; None when the tag is not identifying on its own.
    Values are shortened, serials and IDs masked, before they go into the finding."""
    key = tag.lower().split(":")[-1]
    value = str(value).strip()
    if not value or value in ("0", "None"):
        return None
    if _SERIAL.search(key):
        return Finding(FindingKind.SERIAL, mask(value))
    if key in _DEVICE:
        return Finding(_DEVICE[key], trim(value, 40))
    if key in _NAMES:
        return Finding(_NAMES[key], trim(value, 40))
    if key in _DATES:
        return Finding(FindingKind.DATE, trim(value, 30))
    if key in _PLACES:
        return Finding(FindingKind.PLACE, trim(value, 40))
    if key in _SOFTWARE:
        return Finding(_SOFTWARE[key], trim(value, 40))
    if key in _TEXT:
        return Finding(FindingKind.TEXT, trim(value, 50), where=tag)
    if key in _IDS:
        return Finding(FindingKind.ID, mask(value, 6))
    if key in _AI:
        return Finding(FindingKind.AI_PROMPT, trim(value, 50), where=tag)
    if key in _MOTION:
        return Finding(FindingKind.MOTION_MARKER)
    if key.startswith("gps"):
        return Finding(FindingKind.GPS)
    return None
