"""TIFF handler: IFD0 identity tags and sub-IFDs dropped, strips copied, pixels identical."""

from __future__ import annotations

import numpy as np
import pytest
from _metadata_fixtures import assert_clean, dirty_tiff, displayed, pattern

from photoguard.errors import UnsupportedFormatError
from photoguard.metadata import inspect_metadata, strip_bytes, strip_metadata
from photoguard.metadata.exif import TiffReader


@pytest.mark.parametrize("compression", ["tiff_deflate", "raw", "tiff_lzw"])
def test_strip_clean_and_pixel_identical(tmp_path, compression):
    src = dirty_tiff(tmp_path / "d.tif", compression)
    before = src.read_bytes()
    dst = tmp_path / "o.tif"
    report = strip_metadata(src, dst)
    assert_clean(dst)
    assert src.read_bytes() == before
    assert np.array_equal(displayed(src), displayed(dst))
    removed = " ".join(a.what for a in report.removed)
    for tag in (
        "Artist",
        "Make",
        "Model",
        "Software",
        "ModifyDate",
        "ImageDescription",
        "Copyright",
        "HostComputer",
        "XMLPacket",
        "IPTC-NAA",
    ):
        assert f"IFD0 {tag}" in removed, tag
    out = dst.read_bytes()
    again, second = strip_bytes(out)
    assert again == out and second.removed == []


def test_inspect_lists_ifd0_identity_tags(tmp_path):
    text = " | ".join(inspect_metadata(dirty_tiff(tmp_path / "d.tif")).findings)
    for expected in ("artist name:", "device SM-S918B", "computer name:", "by-line:", "place: Seoul"):
        assert expected in text, expected


def test_multipage_keeps_pages_and_drops_identity(tmp_path):
    path = tmp_path / "m.tif"
    first, second = pattern(), pattern().transpose(0)
    first.save(path, "TIFF", save_all=True, append_images=[second], tiffinfo={315: "Someone Secret"})
    out, _ = strip_bytes(path.read_bytes())
    assert b"Someone Secret" not in out
    assert len(TiffReader(out).chain()) == 2


def test_bigtiff_is_refused():
    with pytest.raises(UnsupportedFormatError, match="BigTIFF"):
        strip_bytes(b"II+\x00\x08\x00\x00\x00" + b"\x00" * 32)
