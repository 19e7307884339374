"""One upload through the app's processing: friendly errors, metadata only, HEIC previews, no-face
photos, 100 % face crops and their difference, private file modes.

None of these cloak a face, so they run in well under a second each.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photoguard.app import processing
from photoguard.app.previews import difference, face_window, thumbnail, write_previews
from photoguard.app.processing import friendly_error, process_file
from photoguard.app.workspace import private_dir
from photoguard.errors import ImageTooLargeError, ModelNotFoundError, UsageError


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
    assert outcome.output is None and outcome.faces == [] and outcome.failure is not None
    assert (
        outcome.why("en") == "This is not a photo photoguard can read. Please upload a JPEG, PNG, WebP or HEIC image."
    )
    assert outcome.why("ko") == "이 앱이 읽을 수 있는 사진이 아닙니다. JPEG, PNG, 아이폰 사진 등을 올려 주세요."
    md = outcome.markdown("en")
    assert md.startswith("### ❌ not processed: notes.txt") and str(tmp_path) not in md
    assert outcome.headline("ko") == "처리하지 못함"


def test_oversized_image_is_refused_without_paths_in_the_message(tmp_path):
    src = tmp_path / "big.png"
    Image.new("RGB", (300, 200)).save(src)
    outcome = process_file(src, tmp_path / "job", "fast", max_pixels=10_000)
    message = outcome.why("en")
    assert message.startswith("This photo is too large to process (300 x 200 = ") and str(tmp_path) not in message
    assert (
        outcome.why("ko") == "사진이 너무 커서 처리할 수 없습니다. 크기를 줄여 다시 시도해 주세요."
    )  # no English detail


def test_a_deleted_upload_asks_to_choose_it_again(tmp_path):
    outcome = process_file(tmp_path / "gone.jpg", tmp_path / "job", "fast")
    assert outcome.failure is not None and outcome.failure.key == "error.missing"
    assert "choose it again" in outcome.why("en") and "다시 선택해 주세요" in outcome.why("ko")


def test_unexpected_errors_are_logged_not_shown(tmp_path, monkeypatch, caplog):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(processing, "_protect", boom)
    with caplog.at_level(logging.ERROR, logger="photoguard.app"):
        outcome = process_file(_dirty_jpeg(tmp_path / "a.jpg"), tmp_path / "job", "fast")
    assert "Something unexpected went wrong" in outcome.why("en")
    for lang in ("en", "ko"):
        assert "secret" not in outcome.markdown(lang) and "Traceback" not in outcome.markdown(lang)
    assert "secret internal detail" in caplog.text


def test_friendly_error_names_missing_models():
    msg = friendly_error(ModelNotFoundError("arcface.onnx not found; run `photoguard models fetch`"))
    assert "photoguard models fetch" in msg
    msg = friendly_error(ImageTooLargeError("20000x20000 = 400 MP is over the 100 MP limit", path="/tmp/x/a.jpg"))
    assert (
        msg
        == "This photo is too large to process (20000x20000 = 400 MP is over the 100 MP limit). Please resize it and try again."
    )


def test_the_page_never_shows_the_servers_path(tmp_path):
    """The error carries its path apart; the page shows only the message, under the uploaded name."""
    src = tmp_path / "secret-folder" / "holiday.png"
    src.parent.mkdir()
    Image.new("RGB", (64, 64)).save(src)
    outcome = process_file(src, tmp_path / "job", "metadata only", max_pixels=100)  # too large: its detail is shown
    assert outcome.failure is not None and outcome.failure.key == "error.too large" and outcome.name == "holiday.png"
    assert (
        outcome.failure.detail == "64 x 64 = 0.0 million pixels; photoguard takes photos of up to 0.0001 million pixels"
    )
    for lang in ("en", "ko"):
        page = outcome.markdown(lang) + outcome.why(lang)
        assert "secret-folder" not in page and str(tmp_path) not in page
    detail = friendly_error(UsageError("output would overwrite the input", path=src))
    assert detail == "This photo could not be processed: output would overwrite the input"


def test_metadata_only_keeps_pixels_and_lists_what_was_removed(tmp_path):
    src = _dirty_jpeg(tmp_path / "IMG_0001.jpg")
    outcome = process_file(src, tmp_path / "job", "metadata only")
    assert outcome.failure is None and outcome.output is not None and outcome.output.name == "IMG_0001.jpg"
    from photoguard.metadata import inspect_metadata

    assert inspect_metadata(outcome.output).findings == []
    assert np.array_equal(np.asarray(Image.open(outcome.output)), np.asarray(Image.open(src)))
    md = outcome.markdown("en")
    assert "GPS location: 37.498 N, 127.028 E" in md and "serial number" in md and "SM-S918B" in md
    assert "bit for bit" in md and outcome.faces == [] and outcome.verdict is None
    assert "촬영 위치: 37.498 N, 127.028 E" in outcome.markdown("ko")
    assert outcome.headline("ko") == "숨은 정보만 삭제함"


def test_outputs_and_previews_are_private(tmp_path):
    outcome = process_file(_dirty_jpeg(tmp_path / "a.jpg"), tmp_path / "job", "metadata only")
    assert outcome.output is not None
    faces = write_previews(
        np.zeros((40, 40, 3), np.uint8),
        np.ones((40, 40, 3), np.uint8),
        [(0, (5, 5, 30, 30))],
        tmp_path / "job" / "preview",
    )
    thumb = thumbnail(tmp_path / "a.jpg", private_dir(tmp_path / "job" / "chosen") / "0.png", max_pixels=10**6)
    assert thumb is not None
    for path in (outcome.output, Path(faces[0].original), Path(faces[0].diff), Path(thumb)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (
        tmp_path / "job",
        tmp_path / "job" / "out",
        tmp_path / "job" / "preview",
        tmp_path / "job" / "chosen",
    ):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_heic_upload_gets_a_png_thumbnail_and_its_metadata_read(tmp_path):
    pytest.importorskip("pillow_heif")
    src = tmp_path / "IMG_0002.heic"
    exif = Image.Exif()
    exif[0x0110] = "iPhone 15"
    Image.new("RGB", (640, 480), "teal").save(src, exif=exif.tobytes())
    thumb = thumbnail(src, tmp_path / "thumb.png", max_pixels=10**7)
    assert thumb is not None
    with Image.open(thumb) as im:
        assert im.format == "PNG" and im.size == (192, 144)
    outcome = process_file(src, tmp_path / "job", "metadata only")
    assert outcome.failure is None and outcome.output is not None
    assert "iPhone 15" in outcome.markdown("en")


def test_thumbnails_follow_orientation_and_refuse_what_they_cannot_show(tmp_path):
    src = tmp_path / "portrait.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90: a portrait photo stored sideways
    Image.new("RGB", (400, 300), "navy").save(src, exif=exif.tobytes())
    thumb = thumbnail(src, tmp_path / "t.png", max_pixels=10**6)
    assert thumb is not None and Image.open(thumb).size == (144, 192)
    assert thumbnail(src, tmp_path / "big.png", max_pixels=1000) is None  # over the pixel limit: name only
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\xff\xd8 not a photo")
    assert thumbnail(junk, tmp_path / "junk.png", max_pixels=10**6) is None


def test_photo_without_a_face_is_stripped_and_says_so(tmp_path):
    src = tmp_path / "landscape.png"
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)).save(src)
    outcome = process_file(src, tmp_path / "job", "fast")
    assert outcome.failure is None and outcome.output is not None
    assert np.array_equal(np.asarray(Image.open(outcome.output)), np.asarray(Image.open(src)))
    md = outcome.markdown("en")
    assert md.startswith("### ℹ️ no face: landscape.png") and "pixels are untouched" in md
    assert outcome.faces == [] and outcome.headline("ko") == "얼굴 없음"


def test_face_window():
    assert face_window((10, 10, 30, 30), (100, 200, 3)) == (3, 3, 37, 37)
    assert face_window((0, 0, 50, 50), (40, 40, 3)) == (0, 0, 40, 40)
    assert face_window((0, 0, 3000, 3000), (4000, 4000, 3), max_side=1200) == (900, 900, 2100, 2100)


def test_every_face_is_cropped_at_100_percent_with_its_difference(tmp_path):
    before = np.full((100, 200, 3), 100, np.uint8)
    after = before.copy()
    after[10:20, 10:20] += 3  # a cloak of +3 on face 1
    after[50, 150] -= 2
    faces = write_previews(before, after, [(0, (0.0, 0.0, 30.0, 30.0)), (1, (140.0, 40.0, 160.0, 60.0))], tmp_path)
    assert [f.index for f in faces] == [0, 1]
    # Face 1's window is cut by the photo's corner: the view centres on the face, not on the crop.
    assert faces[0].size == (41, 41) and faces[0].centre == (15.0, 15.0)
    assert faces[1].size == (34, 34) and faces[1].centre == (17.0, 17.0)
    for face in faces:
        crops = [np.asarray(Image.open(p)) for p in (face.original, face.protected, face.diff)]
        assert all(c.shape[1::-1] == face.size for c in crops)  # 1:1, never rescaled
    diff = np.asarray(Image.open(faces[0].diff))
    assert diff.max() == 128 + 8 * 3 and (diff == 128).mean() > 0.8  # grey where unchanged


def test_difference_is_signed_around_grey():
    a = np.array([[[10, 200, 0]]], np.uint8)
    b = np.array([[[12, 190, 0]]], np.uint8)
    assert difference(a, b).tolist() == [[[144, 48, 128]]]
    assert difference(np.zeros((1, 1, 3), np.uint8), np.full((1, 1, 3), 255, np.uint8)).max() == 255  # clipped


def test_edit_defence_box_changes_the_pixels_and_says_so(tmp_path):
    src = tmp_path / "landscape.png"
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)).save(src)
    outcome = process_file(src, tmp_path / "job", "fast", edits=True)
    assert outcome.failure is None and outcome.output is not None and outcome.result is not None
    assert outcome.result.edits
    assert not np.array_equal(np.asarray(Image.open(outcome.output)), np.asarray(Image.open(src)))
    md = outcome.markdown("en")
    assert "AI editing" in md and "untouched" not in md and "does not stop an edit" in md
    assert "인공지능 편집" in outcome.markdown("ko")
