"""Findings text, report types and the registry (detection by magic bytes)."""

from __future__ import annotations

import copy
import io
import json
import pickle
import string

import pytest
from _metadata_fixtures import dirty_png, pattern

from photoguard.errors import UnsupportedFormatError, UsageError
from photoguard.metadata import HANDLERS, handler_for, inspect_metadata, strip_metadata
from photoguard.metadata.exif import exif_items, minimal_orientation_exif, orientation_of
from photoguard.metadata.findings import (
    Finding,
    FindingKind,
    finding_for,
    human_size,
    location_finding,
    mask,
    xmp_coordinate,
)


def test_location_and_masks():
    assert location_finding(37.49830, 127.02799) == "location 37.498 N, 127.028 E"
    assert location_finding(-33.8688, -70.5) == "location 33.869 S, 70.500 W"
    assert location_finding(-33.8688, -70.5).value == "33.869 S, 70.500 W"
    assert xmp_coordinate("37,29.898N") == pytest.approx(37.4983)
    assert mask("R5CX21ABCDEF") == "R5CX…"
    assert finding_for("BodySerialNumber", "R5CX21ABCDEF") == "device serial R5CX…"
    assert finding_for("Model", "SM-S918B") == "device SM-S918B"
    assert finding_for("parameters", "a cat, Steps: 20").startswith("AI generation prompt")
    assert finding_for("ExposureTime", "0.01") is None
    assert finding_for("Copyright", "Jane").kind is FindingKind.COPYRIGHT
    assert finding_for("ImageDescription", "at home") == "text (ImageDescription): at home"
    assert human_size(2_100_000) == "2.1 MB" and human_size(5120) == "5.1 kB"


def test_every_kind_has_a_wording_over_value_and_where_only():
    for kind in FindingKind:
        fields = {name for _, name, _, _ in string.Formatter().parse(kind.template) if name is not None}
        assert kind.template.strip() and fields <= {"value", "where"}, kind
        words = Finding(kind, "VALUE", "WHERE")
        assert words.kind is kind and ("VALUE" in words) == ("value" in fields), kind


def test_finding_is_its_text_and_keeps_its_parts():
    found = Finding(FindingKind.TEXT_CHUNK, "hello", "Comment")
    assert found == "text chunk 'Comment': hello" and isinstance(found, str)
    assert (found.kind, found.value, found.where) == (FindingKind.TEXT_CHUNK, "hello", "Comment")
    assert Finding("serial", "R5CX…").kind is FindingKind.SERIAL  # a kind by its name
    assert json.dumps([found]) == json.dumps(["text chunk 'Comment': hello"])
    with pytest.raises(ValueError):
        Finding("no such kind", "x")


@pytest.mark.parametrize("copier", [lambda f: pickle.loads(pickle.dumps(f)), copy.deepcopy])
def test_finding_survives_pickling_with_its_parts(copier):
    """The batch's process pool pickles reports; the app reads ``kind`` afterwards."""
    found = Finding(FindingKind.APP_SEGMENT, "2.0 kB", "APP9")
    again = copier(found)
    assert type(again) is Finding and again == found
    assert (again.kind, again.value, again.where) == (FindingKind.APP_SEGMENT, "2.0 kB", "APP9")


def test_minimal_exif_holds_only_orientation():
    payload = minimal_orientation_exif(6)
    assert orientation_of(payload[6:]) == 6
    items = exif_items(payload[6:])
    assert [(i.group, i.tag, i.value) for i in items] == [("EXIF:IFD0", "Orientation", "6")]


def test_detection_is_by_magic_not_extension(tmp_path):
    png_named_jpg = tmp_path / "photo.jpg"
    pattern().save(png_named_jpg, "PNG")
    assert handler_for(png_named_jpg).format == "PNG"
    assert inspect_metadata(png_named_jpg).format == "PNG"
    buf = io.BytesIO()
    pattern().save(buf, "WEBP")
    assert handler_for(buf.getvalue()).mime == "image/webp"
    assert set(HANDLERS) == {"JPEG", "PNG", "WEBP", "TIFF", "HEIF"}
    with pytest.raises(UnsupportedFormatError):
        handler_for(b"BM" + b"\x00" * 60)


def test_report_to_dict_is_json(tmp_path):
    src = dirty_png(tmp_path / "d.png")
    as_json = json.dumps(inspect_metadata(src).to_dict())
    assert "location 37.498 N, 127.028 E" in as_json
    report = strip_metadata(src, tmp_path / "o.png")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["removed"] and data["kept"] and data["pixels"] == "bit-identical"


def test_strip_refuses_to_overwrite_input_without_in_place(tmp_path):
    src = dirty_png(tmp_path / "d.png")
    before = src.read_bytes()
    with pytest.raises(UsageError):
        strip_metadata(src, src)
    with pytest.raises(UsageError):
        strip_metadata(src)
    assert src.read_bytes() == before
    strip_metadata(src, in_place=True)
    assert src.read_bytes() != before and b"tEXt" not in src.read_bytes()
