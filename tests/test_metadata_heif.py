"""HEIC/HEIF handler: EXIF/XMP gone, lossless re-encode with upright pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from _metadata_fixtures import assert_clean, dirty_heic, pattern

pillow_heif = pytest.importorskip("pillow_heif")

from photoguard.metadata import inspect_metadata, strip_bytes, strip_metadata  # noqa: E402


def _decoded(data: bytes) -> np.ndarray:
    heif = pillow_heif.open_heif(io.BytesIO(data))
    return np.asarray(heif[heif.primary_index])


def test_inspect(tmp_path):
    text = " | ".join(inspect_metadata(dirty_heic(tmp_path / "d.heic")).findings)
    assert "location 37.498 N, 127.028 E" in text and "device serial R5CX…" in text and "owner name:" in text


def test_strip_clean_lossless_upright(tmp_path):
    src = dirty_heic(tmp_path / "d.heic", orientation=6)
    before = src.read_bytes()
    dst = tmp_path / "o.heic"
    report = strip_metadata(src, dst)
    assert_clean(dst)
    assert src.read_bytes() == before
    out = dst.read_bytes()
    assert np.array_equal(_decoded(out), _decoded(before))  # the displayed (upright) pixels
    assert _decoded(out).shape[:2] == (64, 48)  # 64x48 landscape rotated 90 degrees
    assert "lossless" in report.pixels and report.output_format == "HEIF"
    assert "applied to the pixels" in report.orientation
    again, second = strip_bytes(out)
    assert np.array_equal(_decoded(again), _decoded(out)) and second.findings == []


def test_drop_icc(tmp_path):
    path = tmp_path / "icc.heic"
    from _metadata_fixtures import icc_srgb

    pillow_heif.from_pillow(pattern()).save(path, quality=90, icc_profile=icc_srgb())
    kept, _ = strip_bytes(path.read_bytes())
    dropped, _ = strip_bytes(path.read_bytes(), keep_icc=False)
    assert pillow_heif.open_heif(io.BytesIO(kept)).info.get("icc_profile")
    assert not pillow_heif.open_heif(io.BytesIO(dropped)).info.get("icc_profile")
