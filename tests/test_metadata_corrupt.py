"""Corrupt, truncated and unsupported files: a clear typed error, nothing written."""

from __future__ import annotations

import io

import pytest
from _metadata_fixtures import dirty_heic, dirty_jpeg, dirty_png, dirty_tiff, dirty_webp, pattern

from photoguard.errors import CorruptImageError, CorruptMetadataError, ImageError, MetadataError, UnsupportedFormatError
from photoguard.metadata import inspect_metadata, strip_metadata

MAKERS = {"jpg": dirty_jpeg, "png": dirty_png, "webp": dirty_webp, "tif": dirty_tiff, "heic": dirty_heic}


def _assert_refused(tmp_path, data: bytes, ext: str, error=MetadataError):
    src, dst = tmp_path / f"bad.{ext}", tmp_path / "out" / f"bad.{ext}"
    src.write_bytes(data)
    with pytest.raises(error) as info:
        strip_metadata(src, dst)
    assert str(src) in str(info.value)  # one line that names the file
    assert not dst.exists() and not dst.parent.exists()
    assert src.read_bytes() == data
    return info.value


@pytest.mark.parametrize("ext", sorted(MAKERS))
def test_truncated_file_is_refused(tmp_path, ext):
    data = MAKERS[ext](tmp_path / f"good.{ext}").read_bytes()
    cut = data[: len(data) // 2] if ext != "jpg" else data[: data.index(b"\xff\xda") + 40]
    err = _assert_refused(tmp_path, cut, ext, CorruptMetadataError)
    assert isinstance(err, CorruptImageError)


@pytest.mark.parametrize("ext", sorted(MAKERS))
def test_header_only_is_refused(tmp_path, ext):
    data = MAKERS[ext](tmp_path / f"good.{ext}").read_bytes()
    _assert_refused(tmp_path, data[:20], ext, CorruptMetadataError)


def test_png_crc_mismatch(tmp_path):
    data = bytearray(dirty_png(tmp_path / "g.png").read_bytes())
    data[data.index(b"IDAT") + 10] ^= 0xFF
    err = _assert_refused(tmp_path, bytes(data), "png", CorruptMetadataError)
    assert "CRC" in str(err)


def test_jpeg_bad_segment_length(tmp_path):
    buf = io.BytesIO()
    pattern().save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    data[4:6] = b"\xff\xf0"  # APP0 claims 65 kB
    _assert_refused(tmp_path, bytes(data), "jpg", CorruptMetadataError)


def test_jpeg_garbage_between_segments(tmp_path):
    buf = io.BytesIO()
    pattern().save(buf, "JPEG")
    data = buf.getvalue()
    _assert_refused(tmp_path, data[:20] + b"\x00garbage" + data[20:], "jpg", CorruptMetadataError)


def test_tiff_ifd_offset_outside_file(tmp_path):
    _assert_refused(tmp_path, b"II*\x00\xff\xff\x00\x00" + b"\x00" * 64, "tif", CorruptMetadataError)


def test_webp_riff_size_too_large(tmp_path):
    data = bytearray(dirty_webp(tmp_path / "g.webp").read_bytes())
    data[4:8] = (len(data) * 2).to_bytes(4, "little")
    _assert_refused(tmp_path, bytes(data), "webp", CorruptMetadataError)


@pytest.mark.parametrize("data", [b"", b"hello, not an image", b"GIF89a" + b"\x00" * 30, b"%PDF-1.7\n" * 4])
def test_unsupported_and_empty(tmp_path, data):
    _assert_refused(tmp_path, data, "jpg", UnsupportedFormatError)


def test_missing_file(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        inspect_metadata(tmp_path / "nope.jpg")
