"""JPEG handler: segment rewrite, bit-identical image data, orientation kept, oracle-clean."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from _metadata_fixtures import SECRET, assert_clean, dirty_jpeg, displayed, oracle, pattern
from PIL import Image

from photoguard.metadata import inspect_metadata, strip_bytes, strip_metadata
from photoguard.metadata.jpeg import APP0, COM, JpegHandler, parse


def _image_data(data: bytes) -> bytes:
    """Everything that is not an APPn/COM segment: tables, frame, scans, entropy data, EOI."""
    segments, _ = parse(data)
    return b"".join(
        data[s.start : s.end] for s in segments if s.marker is None or not (APP0 <= s.marker <= 0xEF or s.marker == COM)
    )


def test_inspect_reports_every_leak(tmp_path):
    report = inspect_metadata(dirty_jpeg(tmp_path / "d.jpg"))
    text = " | ".join(report.findings)
    for expected in (
        "location 37.498 N, 127.028 E",
        "device serial R5CX…",
        "device SM-S918B",
        "owner name:",
        "artist name:",
        "motion-photo video, 4.0 kB",
        "motion-photo marker",
        "C2PA",
        "multi-picture index",
        "appended secondary image",
        "by-line:",
        "extended XMP",
        "text (comment)",
    ):
        assert expected in text, expected
    assert "R5CX21ABCDEF" not in text  # serials are masked in findings
    assert {"EXIF:GPS", "EXIF:ExifIFD", "XMP-dc", "IPTC", "JUMBF", "MPF", "Trailer"} <= set(report.groups)
    assert report.to_dict()["groups"]["EXIF:GPS"][0]["group"] == "EXIF:GPS"


def test_strip_is_clean_for_exiftool_and_lossless(tmp_path):
    src = dirty_jpeg(tmp_path / "d.jpg")
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    assert any(k.startswith("IFD1:Thumbnail") for k in oracle(src))  # the fixture really is dirty
    dst = tmp_path / "out" / "d.jpg"
    report = strip_metadata(src, dst)
    tags = assert_clean(dst)
    assert tags["IFD0:Orientation"] == "Rotate 90 CW"
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before  # input untouched
    assert report.pixels == "bit-identical"
    assert np.array_equal(displayed(src), displayed(dst))
    removed = " ".join(a.what for a in report.removed)
    for part in ("APP1 EXIF", "APP1 XMP", "extended XMP", "APP13", "APP11", "APP2 MPF", "COM", "after end-of-image"):
        assert part in removed, part
    kept = " ".join(a.what for a in report.kept)
    assert "ICC" in kept and "JFIF" in kept and "Orientation=6" in kept
    assert "Orientation=6" in report.orientation
    assert "location 37.498 N, 127.028 E" in report.findings


def test_scan_data_is_bit_identical(tmp_path):
    src = dirty_jpeg(tmp_path / "d.jpg", thumbnail=False)
    out, _ = strip_bytes(src.read_bytes())
    data = src.read_bytes()
    end = data.index(b"\xff\xd9", data.index(b"\xff\xda")) + 2  # primary image's EOI
    assert _image_data(out) == _image_data(data[:end])


def test_strip_twice_changes_nothing(tmp_path):
    once, _ = strip_bytes(dirty_jpeg(tmp_path / "d.jpg", thumbnail=False).read_bytes())
    twice, report = strip_bytes(once)
    assert twice == once
    assert report.removed == [] and report.findings == []


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_rotated_photo_still_displays_upright(tmp_path, orientation):
    src = dirty_jpeg(tmp_path / "d.jpg", orientation=orientation, thumbnail=False)
    out, report = strip_bytes(src.read_bytes())
    assert np.array_equal(displayed(out), displayed(src.read_bytes()))
    upright = displayed(out)
    assert upright.shape[:2] == ((64, 48) if orientation in (6, 8) else (48, 64))
    assert f"Orientation={orientation}" in report.orientation


def test_upright_photo_gets_no_exif_at_all(tmp_path):
    out, report = strip_bytes(dirty_jpeg(tmp_path / "d.jpg", orientation=1, thumbnail=False).read_bytes())
    assert b"Exif\x00" not in out
    assert "Orientation=1" in report.orientation


def test_drop_icc(tmp_path):
    data = dirty_jpeg(tmp_path / "d.jpg", thumbnail=False).read_bytes()
    kept, _ = strip_bytes(data)
    dropped, report = strip_bytes(data, keep_icc=False)
    assert b"ICC_PROFILE" in kept and b"ICC_PROFILE" not in dropped
    assert any("ICC" in a.what for a in report.removed)


def test_plain_jpeg_without_metadata_is_unchanged(tmp_path):
    import io

    buf = io.BytesIO()
    pattern().save(buf, "JPEG", quality=85)
    out, report = JpegHandler().strip(buf.getvalue())
    assert out == buf.getvalue() and report.removed == []
    assert SECRET.encode() not in out


def test_progressive_jpeg_keeps_all_scans(tmp_path):
    import io

    buf = io.BytesIO()
    pattern().save(buf, "JPEG", progressive=True, comment=SECRET.encode())
    out, _ = strip_bytes(buf.getvalue())
    assert SECRET.encode() not in out
    assert out.count(b"\xff\xda") == buf.getvalue().count(b"\xff\xda")
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(out))), np.asarray(Image.open(buf)))


@pytest.mark.parametrize("copy", ["kernel", "no copy_file_range", "cross-device"])
def test_file_strip_writes_what_the_in_memory_strip_gives(tmp_path, monkeypatch, copy):
    """strip_metadata maps the input and has the kernel copy the image data; where the OS
    cannot (no copy_file_range, or EXDEV), it writes the same bytes itself."""
    import errno
    import os

    src = dirty_jpeg(tmp_path / "d.jpg")
    before = src.read_bytes()
    if copy == "no copy_file_range":
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    elif copy == "cross-device":

        def exdev(*args):
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        monkeypatch.setattr(os, "copy_file_range", exdev)
    strip_metadata(src, tmp_path / "out" / "d.jpg")
    assert (tmp_path / "out" / "d.jpg").read_bytes() == strip_bytes(before)[0]
    assert src.read_bytes() == before


def test_output_check_catches_a_segment_the_strip_let_through(tmp_path, monkeypatch):
    """The output is re-inspected (everything but the image data, parsed afresh) before writing."""
    from photoguard.errors import MetadataError

    src = dirty_jpeg(tmp_path / "d.jpg")
    real = JpegHandler.strip_pieces

    def leaky(self, data, **kw):
        pieces, report = real(self, data, **kw)
        comment = SECRET.encode()
        return [pieces[0], b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment, *pieces[1:]], report

    monkeypatch.setattr(JpegHandler, "strip_pieces", leaky)
    with pytest.raises(MetadataError, match="still holds"):
        strip_metadata(src, tmp_path / "out.jpg")
    assert not (tmp_path / "out.jpg").exists()
