"""Errors carry their path apart from their message; ``str(error)`` is the CLI's "PATH: message"
line, formatted once; they pickle with both (the batch's worker processes send them back). A
missing file is a FileNotFoundError, a PIL image a TypeError, a cut-short file said plainly."""

from __future__ import annotations

import errno
import pickle

import pytest

from photoguard.errors import (
    CorruptImageError,
    ImageNotFoundError,
    PhotoguardError,
    SourceTypeError,
    UsageError,
    about,
)
from photoguard.fileio import refuse_overwrite
from photoguard.imageio import CUT_SHORT, open_image
from photoguard.metadata import inspect_metadata, strip_metadata


def test_the_path_is_apart_from_the_message():
    error = CorruptImageError("cannot decode image (truncated)", path="shoot/IMG_1.jpg")
    assert (error.message, error.path) == ("cannot decode image (truncated)", "shoot/IMG_1.jpg")
    assert str(error) == "shoot/IMG_1.jpg: cannot decode image (truncated)"
    plain = UsageError("jpeg_quality must be 90..100")
    assert plain.path is None and str(plain) == plain.message == "jpeg_quality must be 90..100"


def test_pickling_keeps_class_message_and_path():
    error = pickle.loads(pickle.dumps(CorruptImageError("empty file (0 bytes)", path="a.jpg")))
    assert type(error) is CorruptImageError
    assert (error.message, error.path, str(error)) == ("empty file (0 bytes)", "a.jpg", "a.jpg: empty file (0 bytes)")


def test_a_file_is_named_once():
    assert str(PhotoguardError("bad").at("a.jpg").at("b.jpg")) == "a.jpg: bad"  # the first name stays
    assert about("a.jpg", PhotoguardError("bad", path="a.jpg")) == "a.jpg: bad"
    assert about("a.jpg", PhotoguardError("bad")) == "a.jpg: bad"
    assert about("a.jpg", "out of memory") == "a.jpg: out of memory"
    # an error about another file (the output) keeps that name after the input's
    assert about("a.jpg", UsageError("output would overwrite the input", path="b.jpg")) == (
        "a.jpg: b.jpg: output would overwrite the input"
    )


def test_reading_errors_carry_the_path(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(CorruptImageError) as caught:
        open_image(empty)
    assert caught.value.path == str(empty) and caught.value.message == "empty file (0 bytes)"
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe1\x00\x02")  # a JPEG cut inside its first segment
    with pytest.raises(PhotoguardError) as caught:
        inspect_metadata(junk)
    assert caught.value.path == str(junk) and str(junk) not in caught.value.message
    assert str(caught.value).count(str(junk)) == 1


def test_refusing_to_overwrite_the_input_is_one_rule(tmp_path):
    src = tmp_path / "a.png"
    src.write_bytes(b"photo")
    link = tmp_path / "link.png"
    link.symlink_to(src)
    refuse_overwrite(tmp_path / "b.png", src)  # another file, or one not there yet: fine
    for output in (src, link):
        with pytest.raises(UsageError) as caught:
            refuse_overwrite(output, src, hint="use --in-place to modify inputs")
        assert caught.value.path == str(output)
        assert caught.value.message == "output would overwrite the input (use --in-place to modify inputs)"
    with pytest.raises(UsageError, match="output would overwrite the input"):
        strip_metadata(src, link)
    assert src.read_bytes() == b"photo"


def test_a_missing_file_is_a_file_not_found_error_everywhere(tmp_path):
    """``except FileNotFoundError`` catches a missing photo, whichever entry point read it; it is
    still a photoguard error (the CLI's one line and exit code), named by its path, and pickles."""
    import photoguard

    missing = tmp_path / "selfie.jpg"
    for read in (open_image, inspect_metadata, photoguard.protect, lambda p: strip_metadata(p, tmp_path / "o.jpg")):
        with pytest.raises(FileNotFoundError) as caught:
            read(missing)
        error = caught.value
        assert isinstance(error, ImageNotFoundError) and isinstance(error, PhotoguardError)
        assert (error.filename, error.errno, str(error)) == (str(missing), errno.ENOENT, f"{missing}: no such file")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ImageNotFoundError and again.filename == str(missing) and str(again) == str(error)


def test_a_pil_image_is_not_a_file(tmp_path):
    """A decoded image has no metadata container: a typed error (a TypeError too) that says what to pass."""
    from PIL import Image

    image = Image.new("RGB", (4, 4))
    for call in (lambda: inspect_metadata(image), lambda: strip_metadata(image, tmp_path / "o.png")):
        with pytest.raises(SourceTypeError) as caught:
            call()
        assert isinstance(caught.value, TypeError) and isinstance(caught.value, UsageError)
        assert "PIL.Image.Image" in str(caught.value) and "pass the path" in str(caught.value)
    with pytest.raises(SourceTypeError, match=r"expected a file path or the file's bytes, got builtins\.int"):
        inspect_metadata(3)  # type: ignore[arg-type]


def test_a_file_cut_short_is_said_in_plain_words(tmp_path):
    """Pillow's "image file is truncated (1 bytes not processed)" is not shown as it is."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 100, 50)).save(buf, "JPEG")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(buf.getvalue()[:-2])  # the end-of-image marker lost
    with pytest.raises(CorruptImageError) as caught:
        open_image(cut)
    assert caught.value.message == CUT_SHORT and "bytes not processed" not in str(caught.value)


def test_the_library_does_not_name_the_cli_s_options(monkeypatch):
    import torch

    from photoguard.pipeline import resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(UsageError) as caught:
        resolve_device("cuda")
    assert "--device" not in str(caught.value) and "'cuda'" in str(caught.value)
