"""WebP handler: EXIF/XMP RIFF chunks dropped, VP8X flags and RIFF size fixed, pixels identical."""

from __future__ import annotations

import io
import struct

import numpy as np
from _metadata_fixtures import SECRET, assert_clean, dirty_webp, displayed, pattern

from photoguard.metadata import inspect_metadata, strip_bytes, strip_metadata
from photoguard.metadata.webp import FLAG_EXIF, FLAG_ICC, FLAG_XMP, chunks


def _flags(data: bytes) -> int:
    found, _ = chunks(data)
    fourcc, start, _ = found[0]
    assert fourcc == b"VP8X"
    return data[start + 8]


def test_inspect(tmp_path):
    text = " | ".join(inspect_metadata(dirty_webp(tmp_path / "d.webp")).findings)
    assert "location 37.498 N, 127.028 E" in text and "device serial R5CX…" in text and "creator name:" in text


def test_strip_clean_flags_size_pixels(tmp_path):
    src = dirty_webp(tmp_path / "d.webp")
    before = src.read_bytes()
    assert _flags(before) & (FLAG_EXIF | FLAG_XMP)
    dst = tmp_path / "o.webp"
    report = strip_metadata(src, dst)
    assert_clean(dst)
    out = dst.read_bytes()
    assert src.read_bytes() == before
    assert struct.unpack_from("<I", out, 4)[0] == len(out) - 8
    flags = _flags(out)
    assert not flags & (FLAG_EXIF | FLAG_XMP) and flags & FLAG_ICC
    assert [c for c, _, _ in chunks(out)[0]] == [b"VP8X", b"ICCP", b"VP8L"]
    assert np.array_equal(displayed(src), displayed(dst))
    assert {a.what.split()[0] for a in report.removed} == {"EXIF", "XMP"}
    again, second = strip_bytes(out)
    assert again == out and second.removed == []


def test_drop_icc_clears_flag(tmp_path):
    out, _ = strip_bytes(dirty_webp(tmp_path / "d.webp").read_bytes(), keep_icc=False)
    assert not _flags(out) & FLAG_ICC and b"ICCP" not in out


def test_simple_lossy_webp_passes_through():
    buf = io.BytesIO()
    pattern().save(buf, "WEBP", quality=80)
    out, report = strip_bytes(buf.getvalue())
    assert out == buf.getvalue() and report.removed == []
    assert SECRET.encode() not in out
