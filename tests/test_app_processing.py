"""One upload through the app's processing: friendly errors, metadata only, HEIC previews, no-face photos.

None of these cloak a face, so they run in well under a second each.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photoguard.app import processing
from photoguard.app.previews import face_window, write_previews
from photoguard.app.processing import friendly_error, process_file
from photoguard.errors import ImageTooLargeError, ModelNotFoundError


def _dirty_jpeg(path: Path) -> Path:
    """A small JPEG holding a phone model, a serial number and a GPS position."""
    exif = Image.Exif()
    exif[0x0110] = "SM-S918B"
    exif[0xA431] = "R5CX21ABCDEF"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (37.0, 29.0, 53.9), 3: "E", 4: (127.0, 1.0, 40.8)})
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(path, "JPEG", exif=exif)
    return path


def test_non_image_gets_a_friendly_message(tmp_path):
    src = tmp_path / "notes.txt"
    src.write_text("not a photo")
    outcome = process_file(src, tmp_path / "job", "fast")
    assert outcome.output is None and outcome.before_after is None
    assert outcome.error == "This is not a photo photoguard can read. Please upload a JPEG, PNG, WebP or HEIC image."
    assert "notes.txt: not processed" in outcome.markdown and str(tmp_path) not in outcome.markdown


def test_oversized_image_is_refused_without_paths_in_the_message(tmp_path):
    src = tmp_path / "big.png"
    Image.new("RGB", (300, 200)).save(src)
    outcome = process_file(src, tmp_path / "job", "fast", max_pixels=10_000)
    assert outcome.error is not None and outcome.error.startswith("This photo is too large to process (300x200")
    assert str(tmp_path) not in outcome.error


def test_unexpected_errors_are_logged_not_shown(tmp_path, monkeypatch, caplog):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(processing, "_protect", boom)
    with caplog.at_level(logging.ERROR, logger="photoguard.app"):
        outcome = process_file(_dirty_jpeg(tmp_path / "a.jpg"), tmp_path / "job", "fast")
    assert outcome.error is not None and "Something unexpected went wrong" in outcome.error
    assert "secret" not in outcome.markdown and "Traceback" not in outcome.markdown
    assert "secret internal detail" in caplog.text


def test_friendly_error_names_missing_models():
    msg = friendly_error(ModelNotFoundError("arcface.onnx not found; run `photoguard models fetch`"), "a.jpg")
    assert "photoguard models fetch" in msg
    msg = friendly_error(ImageTooLargeError("/tmp/x/a.jpg: 20000x20000 = 400 MP is over the 100 MP limit"), "a.jpg", "/tmp/x/a.jpg")
    assert msg == "This photo is too large to process (20000x20000 = 400 MP is over the 100 MP limit). Please resize it and try again."


def test_metadata_only_keeps_pixels_and_lists_what_was_removed(tmp_path):
    src = _dirty_jpeg(tmp_path / "IMG_0001.jpg")
    outcome = process_file(src, tmp_path / "job", "metadata only")
    assert outcome.error is None and outcome.output is not None and outcome.output.name == "IMG_0001.jpg"
    from photoguard.metadata import inspect_metadata

    assert inspect_metadata(outcome.output).findings == []
    assert np.array_equal(np.asarray(Image.open(outcome.output)), np.asarray(Image.open(src)))
    md = outcome.markdown
    assert "GPS location: 37.498 N, 127.028 E" in md and "serial number" in md and "SM-S918B" in md
    assert "bit for bit" in md and outcome.face is None


def test_heic_upload_gets_png_previews(tmp_path):
    pytest.importorskip("pillow_heif")
    src = tmp_path / "IMG_0002.heic"
    exif = Image.Exif()
    exif[0x0110] = "iPhone 15"
    Image.new("RGB", (64, 48), "teal").save(src, exif=exif.tobytes())
    outcome = process_file(src, tmp_path / "job", "metadata only")
    assert outcome.error is None and outcome.output is not None
    assert outcome.before_after is not None
    for preview in outcome.before_after:
        with Image.open(preview) as im:
            assert im.format == "PNG" and im.size == (64, 48)
    assert "iPhone 15" in outcome.markdown


def test_photo_without_a_face_is_stripped_and_says_so(tmp_path):
    src = tmp_path / "landscape.png"
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)).save(src)
    outcome = process_file(src, tmp_path / "job", "fast")
    assert outcome.error is None, outcome.error
    assert outcome.output is not None
    assert np.array_equal(np.asarray(Image.open(outcome.output)), np.asarray(Image.open(src)))
    assert outcome.markdown.startswith("### ℹ️ no face: landscape.png") and "pixels are untouched" in outcome.markdown
    assert outcome.face is None


def test_face_window_and_zoom_previews(tmp_path):
    assert face_window((10, 10, 30, 30), (100, 200, 3)) == (3, 3, 37, 37)
    assert face_window((0, 0, 50, 50), (40, 40, 3)) == (0, 0, 40, 40)
    rgb = np.zeros((100, 200, 3), np.uint8)
    whole, face = write_previews(rgb, rgb, (10.0, 10.0, 30.0, 30.0), tmp_path)
    assert face is not None
    with Image.open(face[0]) as im:
        assert min(im.size) >= 384
    with Image.open(whole[1]) as im:
        assert im.size == (200, 100)


def test_old_results_are_pruned(tmp_path):
    import os
    import time

    pytest.importorskip("gradio")
    from photoguard.app.ui import prune

    old, new = tmp_path / "old", tmp_path / "new"
    for job in (old, new):
        (job / "0" / "out").mkdir(parents=True)
        (job / "0" / "out" / "a.jpg").write_bytes(b"x")
    hours_ago = time.time() - 7200
    os.utime(old, (hours_ago, hours_ago))
    prune(tmp_path, max_age_s=3600)
    assert not old.exists() and (new / "0" / "out" / "a.jpg").exists()
