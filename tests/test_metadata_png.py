"""PNG handler: text/eXIf/tIME/unknown chunks dropped, colour and transparency kept."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from _metadata_fixtures import SECRET, assert_clean, dirty_png, displayed, pattern
from PIL import Image

from photoguard.metadata import inspect_metadata, strip_bytes, strip_metadata
from photoguard.metadata.png import chunks


def _types(data: bytes) -> list[bytes]:
    return [c for c, _, _ in chunks(data)[0]]


def test_inspect_finds_prompts_text_exif_and_time(tmp_path):
    text = " | ".join(inspect_metadata(dirty_png(tmp_path / "d.png")).findings)
    for expected in (
        "AI generation prompt/settings (parameters)",
        "author:",
        "location 37.498 N, 127.028 E",
        "device serial R5CX…",
        "date 2024-05-01",
        "unknown chunk prVt",
        "C2PA",
        "text (Comment)",
    ):
        assert expected in text, expected


def test_strip_clean_pixel_identical_and_idempotent(tmp_path):
    src = dirty_png(tmp_path / "d.png")
    before = src.read_bytes()
    dst = tmp_path / "o.png"
    report = strip_metadata(src, dst)
    assert_clean(dst)
    assert src.read_bytes() == before
    assert np.array_equal(displayed(src), displayed(dst))  # RGBA, alpha included
    out = dst.read_bytes()
    assert _types(out) == [b"IHDR", b"iCCP", b"IDAT", b"IEND"]
    assert {a.what.split()[0] for a in report.removed} == {"tEXt", "zTXt", "iTXt", "eXIf", "tIME", "prVt", "caBX"}
    again, second = strip_bytes(out)
    assert again == out and second.removed == []


def test_palette_transparency_and_colour_chunks_kept():
    im = pattern().convert("P")
    buf = io.BytesIO()
    im.save(buf, "PNG", transparency=0, pnginfo=_info())
    data = buf.getvalue()
    gama = struct.pack(">I", 4) + b"gAMA" + struct.pack(">I", 45455)
    gama += struct.pack(">I", zlib.crc32(gama[4:]))
    ihdr_end = 8 + 25
    data = data[:ihdr_end] + gama + data[ihdr_end:]
    out, _ = strip_bytes(data)
    assert b"tRNS" in _types(out) and b"gAMA" in _types(out) and b"PLTE" in _types(out)
    assert SECRET.encode() not in out
    assert np.array_equal(
        np.asarray(Image.open(io.BytesIO(out)).convert("RGBA")),
        np.asarray(Image.open(io.BytesIO(data)).convert("RGBA")),
    )


def _info():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Software", SECRET)
    return info


def test_drop_icc(tmp_path):
    out, report = strip_bytes(dirty_png(tmp_path / "d.png").read_bytes(), keep_icc=False)
    assert b"iCCP" not in _types(out)
    assert any(a.what.startswith("iCCP") for a in report.removed)


def test_trailing_bytes_after_iend_are_dropped(tmp_path):
    data = dirty_png(tmp_path / "d.png").read_bytes() + SECRET.encode() * 3
    out, report = strip_bytes(data)
    assert out.endswith(b"IEND\xaeB`\x82") and SECRET.encode() not in out
    assert any("after IEND" in a.what for a in report.removed)
