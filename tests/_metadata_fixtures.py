"""Dirty fixtures for the metadata tests, made from scratch (Pillow plus hand-built segments),
and the exiftool oracle.

Every fixture plants :data:`SECRET` (and a few other identifying values) in every place the
format can hide it, so a test can assert the string is absent from the stripped bytes.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageOps
from PIL.PngImagePlugin import PngInfo

SECRET = "Zq7PlantedSecretVx"
SERIAL = "R5CX21ABCDEF"
LAT, LON = (37.0, 29.0, 53.88), (127.0, 1.0, 40.8)  # 37.498 N, 127.028 E
W, H = 64, 48

XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    'xmlns:GCamera="http://ns.google.com/photos/1.0/camera/" xmlns:xmpNote="http://ns.adobe.com/xmp/note/" '
    f'photoshop:City="{SECRET}City" exif:GPSLatitude="37,29.898N" exif:GPSLongitude="127,1.68E" '
    'GCamera:MotionPhoto="1" GCamera:MotionPhotoVersion="1" xmpNote:HasExtendedXMP="0123456789ABCDEF0123456789ABCDEF">'
    f"<dc:creator><rdf:Seq><rdf:li>{SECRET} Creator</rdf:li></rdf:Seq></dc:creator>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>"
)
MP4_TRAILER = (
    b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    + struct.pack(">I", 8 + 4000)
    + b"mdat"
    + (SECRET.encode() * 250)[:4000]
)

IDENTIFYING_GROUP_PREFIXES = (
    "GPS",
    "ExifIFD",
    "IFD1",
    "XMP",
    "IPTC",
    "Photoshop",
    "MPF",
    "MPImage",
    "JUMBF",
    "C2PA",
    "JSON",
    "Samsung",
    "Google",
    "MakerNotes",
    "InteropIFD",
    "SubIFD",
    "IFD2",
)
IDENTIFYING_TAGS = {
    "Make",
    "Model",
    "Artist",
    "Copyright",
    "Software",
    "ModifyDate",
    "DateTimeOriginal",
    "CreateDate",
    "ImageDescription",
    "HostComputer",
    "SerialNumber",
    "BodySerialNumber",
    "LensSerialNumber",
    "CameraSerialNumber",
    "OwnerName",
    "CameraOwnerName",
    "Comment",
    "ThumbnailImage",
    "ThumbnailOffset",
    "ThumbnailLength",
    "PreviewImage",
    "Author",
    "Parameters",
    "Description",
    "Title",
    "MotionPhoto",
    "MicroVideo",
    "EmbeddedVideoFile",
    "MPImage2",
    "NumberOfImages",
    "UserComment",
    "CurrentIPTCDigest",
    "XPAuthor",
    "XPComment",
    "ImageUniqueID",
    "By-line",
    "City",
    "Creator",
}
#: tags exiftool may report from IFD0 of a stripped file (structure and orientation only)
IFD0_ALLOWED = {
    "ImageWidth",
    "ImageHeight",
    "BitsPerSample",
    "Compression",
    "PhotometricInterpretation",
    "StripOffsets",
    "Orientation",
    "SamplesPerPixel",
    "RowsPerStrip",
    "StripByteCounts",
    "PlanarConfiguration",
    "XResolution",
    "YResolution",
    "ResolutionUnit",
    "ExtraSamples",
    "Predictor",
    "SampleFormat",
    "FillOrder",
    "TileWidth",
    "TileLength",
    "TileOffsets",
    "TileByteCounts",
}


# --- exiftool oracle --------------------------------------------------------------------------


def exiftool() -> str:
    """Path of exiftool; fails under CI=true when missing, otherwise skips the test."""
    path = shutil.which("exiftool")
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("exiftool is required in CI (apt-get install libimage-exiftool-perl)")
        pytest.skip("exiftool not installed (apt-get install libimage-exiftool-perl)")
    return path


def oracle(path: Path) -> dict:
    """``exiftool -a -G1 -j FILE`` as one dict of ``"Group:Tag" -> value``."""
    out = subprocess.run([exiftool(), "-a", "-G1", "-j", str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)[0]


def identifying_tags(tags: dict) -> list[str]:
    """The keys in an exiftool dict that reveal identity, place, device or hidden content."""
    bad = []
    for key in tags:
        group, _, tag = key.rpartition(":")
        base = tag.split("-")[0]
        if (
            group.startswith(IDENTIFYING_GROUP_PREFIXES)
            or base in IDENTIFYING_TAGS
            or base.startswith("GPS")
            or (group == "IFD0" and base not in IFD0_ALLOWED)
            or (group in ("ExifTool", "File") and tag == "Warning" and "railer" in str(tags[key]))
        ):
            bad.append(key)
    return bad


def assert_clean(path: Path) -> dict:
    """Assert exiftool finds nothing identifying and no secret string; return its tags."""
    tags = oracle(path)
    assert identifying_tags(tags) == [], identifying_tags(tags)
    dump = json.dumps(tags)
    assert SECRET not in dump and SERIAL not in dump
    data = path.read_bytes()
    assert SECRET.encode() not in data and SERIAL.encode() not in data
    assert SECRET.encode("utf-16-le") not in data
    return tags


# --- pixels -----------------------------------------------------------------------------------


def pattern(w: int = W, h: int = H, alpha: bool = False) -> Image.Image:
    """A deterministic, asymmetric test picture (so a wrong rotation shows)."""
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([(x * 4) % 256, (y * 5) % 256, ((x + 2 * y) * 3) % 256], axis=2).astype(np.uint8)
    rgb[: h // 4, : w // 4] = (255, 0, 0)
    im = Image.fromarray(rgb, "RGB")
    if alpha:
        im.putalpha(Image.fromarray(((x + y) % 256).astype(np.uint8), "L"))
    return im


def displayed(data_or_path: bytes | Path) -> np.ndarray:
    """Pixels as a viewer shows them: decoded with the orientation applied."""
    src = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    with Image.open(src) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGBA"))


def icc_srgb() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def dirty_exif(orientation: int = 6) -> Image.Exif:
    """EXIF with IFD0 identity tags, an Exif IFD with serials and owner, and a GPS IFD."""
    ex = Image.Exif()
    for tag, value in {
        0x010F: "samsung",
        0x0110: "SM-S918B",
        0x013B: f"{SECRET} Artist",
        0x8298: f"(c) {SECRET}",
        0x0131: "S918BXXU1AWBD",
        0x0132: "2024:05:01 10:11:12",
        0x010E: f"{SECRET} description",
        0x013C: f"{SECRET}-laptop",
        0x0112: orientation,
    }.items():
        ex[tag] = value
    sub = ex.get_ifd(0x8769)
    sub.update(
        {
            0xA431: SERIAL,
            0xA435: "LENS" + SERIAL,
            0xA430: f"{SECRET} Owner",
            0x9003: "2024:05:01 10:11:12",
            0xA420: "0123456789abcdef" + SECRET,
        }
    )
    gps = ex.get_ifd(0x8825)
    gps.update({1: "N", 2: LAT, 3: "E", 4: LON, 5: b"\x00", 6: 38.0})
    return ex


# --- JPEG -------------------------------------------------------------------------------------


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _iptc() -> bytes:
    def ds(num: int, text: str) -> bytes:
        raw = text.encode()
        return b"\x1c\x02" + bytes([num]) + struct.pack(">H", len(raw)) + raw

    iim = b"\x1c\x02\x00\x00\x02\x00\x04" + ds(80, f"{SECRET} Byline") + ds(90, "Seoul") + ds(120, f"{SECRET} caption")
    iim += b"\x00" * (len(iim) % 2)
    return b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iim)) + iim


def _jumbf() -> bytes:
    jumd = b"jumd" + b"c2pa\x00\x11\x00\x10\x80\x00\x00\xaa\x008\x9bq" + b"\x03" + b"c2pa\x00"
    jumd = struct.pack(">I", len(jumd) + 4) + jumd
    claim = f'{{"claim_generator":"{SECRET} camera app"}}'.encode()
    inner = struct.pack(">I", len(claim) + 8) + b"json" + claim
    jumb = struct.pack(">I", 8 + len(jumd) + len(inner)) + b"jumb" + jumd + inner
    return b"JP" + b"\x00\x01" + b"\x00\x00\x00\x01" + jumb


def dirty_jpeg(path: Path, *, orientation: int = 6, thumbnail: bool = True) -> Path:
    """A phone-like JPEG with every leak: EXIF (IFD0, Exif, GPS), a thumbnail (via exiftool when
    installed), XMP with motion-photo markers, extended XMP, IPTC in APP13, C2PA/JUMBF in APP11,
    an MPF secondary image, a comment, an ICC profile and an MP4 motion-photo trailer."""
    buf = io.BytesIO()
    second = pattern(32, 24).convert("L").convert("RGB")  # stands in for a depth/gain map
    pattern().save(
        buf,
        "MPO",
        save_all=True,
        append_images=[second],
        exif=dirty_exif(orientation).tobytes(),
        icc_profile=icc_srgb(),
        comment=f"{SECRET} comment".encode(),
        quality=90,
    )
    path.write_bytes(buf.getvalue())
    if thumbnail and shutil.which("exiftool"):
        thumb = path.with_suffix(".thumb.jpg")
        pattern(16, 12).save(thumb, "JPEG", comment=SECRET.encode())
        subprocess.run(["exiftool", "-q", "-overwrite_original", f"-ThumbnailImage<={thumb}", str(path)], check=True)
        thumb.unlink()
    data = path.read_bytes()
    ext_xmp = (
        b"http://ns.adobe.com/xmp/extension/\x00"
        + b"0123456789ABCDEF0123456789ABCDEF"
        + struct.pack(">II", 40, 0)
        + f"<x:xmpmeta>{SECRET} depth</x:xmpmeta>".encode()[:40]
    )
    inserted = (
        _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP.encode())
        + _segment(0xE1, ext_xmp)
        + _segment(0xED, _iptc())
        + _segment(0xEB, _jumbf())
        + _segment(0xE9, f"APP9 {SECRET}".encode())
    )
    path.write_bytes(data[:2] + inserted + data[2:] + MP4_TRAILER)
    return path


# --- PNG / WebP / TIFF / HEIF -----------------------------------------------------------------


def png_chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def dirty_png(path: Path) -> Path:
    """RGBA PNG with tEXt (Stable Diffusion parameters), zTXt, iTXt, XMP, eXIf, tIME, an unknown
    ancillary chunk, a caBX (C2PA) chunk and an ICC profile."""
    info = PngInfo()
    info.add_text("Author", f"{SECRET} Author")
    info.add_text("parameters", f"photo of {SECRET}, Steps: 20, Sampler: Euler a, Seed: 1234")
    info.add_text("Comment", f"{SECRET} zipped", zip=True)
    info.add_itxt("Description", f"{SECRET} itxt", lang="en", tkey="Description")
    info.add_itxt("XML:com.adobe.xmp", XMP)
    buf = io.BytesIO()
    pattern(alpha=True).save(buf, "PNG", pnginfo=info, exif=dirty_exif(1).tobytes(), icc_profile=icc_srgb())
    data = buf.getvalue()
    extra = (
        png_chunk(b"tIME", struct.pack(">HBBBBB", 2024, 5, 1, 10, 11, 12))
        + png_chunk(b"prVt", f"private {SECRET}".encode())
        + png_chunk(b"caBX", _jumbf()[8:])
    )
    iend = data.rindex(b"IEND") - 4
    path.write_bytes(data[:iend] + extra + data[iend:])
    return path


def dirty_webp(path: Path) -> Path:
    """Lossless RGBA WebP (VP8X) with EXIF, XMP and ICC chunks."""
    pattern(alpha=True).save(
        path, "WEBP", lossless=True, exif=dirty_exif(1).tobytes(), xmp=XMP.encode(), icc_profile=icc_srgb()
    )
    return path


def dirty_tiff(path: Path, compression: str = "tiff_deflate") -> Path:
    """TIFF with IFD0 identity tags, Exif and GPS sub-IFDs, XMP (700), IPTC (33723) and ICC."""
    ex = dirty_exif(1)
    ex[700] = XMP.encode()
    ex[33723] = _iptc()[26:]
    pattern().save(path, "TIFF", exif=ex, icc_profile=icc_srgb(), compression=compression)
    if shutil.which("exiftool"):  # Pillow writes IFD0 only; exiftool adds the Exif and GPS sub-IFDs
        subprocess.run(
            [
                "exiftool",
                "-q",
                "-overwrite_original",
                f"-SerialNumber={SERIAL}",
                f"-OwnerName={SECRET}",
                "-GPSLatitude=37.498",
                "-GPSLatitudeRef=N",
                "-GPSLongitude=127.028",
                "-GPSLongitudeRef=E",
                "-DateTimeOriginal=2024:05:01 10:11:12",
                str(path),
            ],
            check=True,
        )
    return path


def dirty_heic(path: Path, orientation: int = 6) -> Path:
    """HEIC with EXIF (GPS, serials, owner) and XMP, rotated by ``orientation``."""
    import pillow_heif

    heif = pillow_heif.from_pillow(pattern())
    heif.save(path, quality=90, exif=dirty_exif(orientation).tobytes(), xmp=XMP.encode())
    return path
