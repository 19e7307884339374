"""Image I/O: the atomic writer, and the loader on odd, broken and hostile files.

Every input must give either a correct ``H x W x 3`` uint8 RGB image or a typed
:mod:`photoguard.errors` exception, never any other exception.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from photoguard import fileio, imageio
from photoguard.errors import (
    CorruptImageError,
    ImageError,
    ImageTooLargeError,
    OutputExistsError,
    UnsupportedImageError,
)
from photoguard.imageio import atomic_write_bytes, open_image


def _jpeg(rgb: np.ndarray, **save) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=95, **save)
    return buf.getvalue()


def _photo(h: int = 48, w: int = 64) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // w, y * 255 // h, np.full_like(x, 128)], axis=2).astype(np.uint8)


def _load_or_typed_error(path, **kw):
    """The loader's contract: a valid image or an ImageError; anything else fails the test."""
    try:
        loaded = open_image(path, **kw)
    except ImageError as exc:
        return exc
    assert loaded.rgb.dtype == np.uint8 and loaded.rgb.ndim == 3 and loaded.rgb.shape[2] == 3
    assert loaded.rgb.flags.c_contiguous
    return loaded


# --- atomic writer --------------------------------------------------------------


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_imageio_reexports_the_one_writer():
    assert imageio.atomic_write_bytes is fileio.atomic_write_bytes


def test_atomic_write_creates_folders_and_leaves_no_temp(tmp_path):
    dst = tmp_path / "a" / "b" / "out.bin"
    assert atomic_write_bytes(dst, b"hello") == dst
    assert dst.read_bytes() == b"hello"
    atomic_write_bytes(dst, b"again", durable=False, replace=True)
    assert dst.read_bytes() == b"again"
    assert _leftovers(dst.parent) == []


def test_atomic_write_never_replaces_a_file_unless_told(tmp_path, monkeypatch):
    dst = tmp_path / "IMG_1.jpg"
    dst.write_bytes(b"another photo")
    with pytest.raises(OutputExistsError) as caught:
        atomic_write_bytes(dst, b"protected")
    assert caught.value.path == str(dst) and dst.read_bytes() == b"another photo"
    # The name taken between the early check and the write (another process): still refused.
    monkeypatch.setattr(os.path, "lexists", lambda path: False)
    with pytest.raises(OutputExistsError):
        atomic_write_bytes(dst, b"protected")
    assert dst.read_bytes() == b"another photo" and _leftovers(tmp_path) == []
    # A file system without hard links: the check, then a rename.
    monkeypatch.undo()
    monkeypatch.setattr(os, "link", _raising(OSError(1, "Operation not permitted")))
    with pytest.raises(OutputExistsError):
        atomic_write_bytes(dst, b"protected")
    assert atomic_write_bytes(tmp_path / "new.jpg", b"protected").read_bytes() == b"protected"
    assert _leftovers(tmp_path) == []


def _raising(exc: BaseException):
    def fail(*args, **kwargs):
        raise exc

    return fail


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_atomic_write_failure_keeps_old_file_and_removes_temp(tmp_path, monkeypatch, failing):
    dst = tmp_path / "out.bin"
    dst.write_bytes(b"old")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if failing == "write":  # half the bytes reach the temp file, then the disk fills
        monkeypatch.setattr(os, "write", _write_raising(OSError(28, "No space left on device")))
    else:
        monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError):
        atomic_write_bytes(dst, b"new content", replace=True)
    assert dst.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


_real_write = os.write


def _write_raising(exc: BaseException):
    """An ``os.write`` that writes half of the first buffer, then raises ``exc``."""

    def write(fd, data):
        _real_write(fd, bytes(data[: len(data) // 2]))
        raise exc

    return write


def test_atomic_write_interrupted_mid_write_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "write", _write_raising(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(tmp_path / "new.bin", b"x" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_pieces_copies_spans_and_cleans_up_on_failure(tmp_path, monkeypatch):
    src = tmp_path / "src.bin"
    src.write_bytes(bytes(range(256)) * 100)
    pieces = [b"new", fileio.Span(10, 20_000), b"tail", fileio.Span(25_000, 25_600)]
    with open(src, "rb") as fh:
        data = fh.read()
        dst = fileio.atomic_write_pieces(tmp_path / "out.bin", pieces, source_fd=fh.fileno(), source=data)
        assert dst.read_bytes() == fileio.join_pieces(data, pieces)

        def full_disk(src_fd, dst_fd, count, offset_src):
            _real_write(dst_fd, b"x" * 100)
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "copy_file_range", full_disk, raising=False)
        with pytest.raises(OSError):
            fileio.atomic_write_pieces(tmp_path / "out.bin", pieces, source_fd=fh.fileno(), source=data, replace=True)
    assert dst.read_bytes() == fileio.join_pieces(data, pieces)  # the old output is untouched
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_atomic_write_permissions_follow_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        dst = atomic_write_bytes(tmp_path / f"u{umask:o}.bin", b"data")
    finally:
        os.umask(old)
    assert stat.S_IMODE(dst.stat().st_mode) == 0o666 & ~umask


def test_atomic_write_explicit_mode_and_no_fsync_when_not_durable(tmp_path, monkeypatch):
    dst = atomic_write_bytes(tmp_path / "keep.bin", b"data", mode=0o600)
    assert stat.S_IMODE(dst.stat().st_mode) == 0o600

    def no_fsync(fd):
        raise AssertionError("durable=False must not fsync")

    monkeypatch.setattr(os, "fsync", no_fsync)
    atomic_write_bytes(tmp_path / "fast.bin", b"data", durable=False)


# --- loader: broken and hostile files ---------------------------------------------


def test_truncated_jpeg(tmp_path):
    data = _jpeg(_photo(256, 256))
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptImageError):
        open_image(path)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_anywhere_gives_image_or_typed_error(tmp_path, fmt):
    buf = io.BytesIO()
    Image.fromarray(_photo(64, 64)).save(buf, fmt)
    data = buf.getvalue()
    path = tmp_path / f"cut.{fmt.lower()}"
    for cut in sorted({1, 2, 3, 8, 16, 33, 64, 100, len(data) // 3, len(data) // 2, len(data) - 2, len(data) - 1}):
        path.write_bytes(data[:cut])
        _load_or_typed_error(path)


def test_text_file_named_jpg(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("this is not a photo\n")
    with pytest.raises(UnsupportedImageError):
        open_image(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(CorruptImageError, match="empty"):
        open_image(path)


def test_directory_named_like_an_image(tmp_path):
    (tmp_path / "x.jpg").mkdir()
    with pytest.raises(UnsupportedImageError, match="not a regular file"):
        open_image(tmp_path / "x.jpg")


def test_missing_file(tmp_path):
    with pytest.raises(UnsupportedImageError, match="no such file"):
        open_image(tmp_path / "nope.jpg")


def test_decompression_bomb(tmp_path):
    path = tmp_path / "big.png"
    Image.new("RGB", (300, 200)).save(path)
    with pytest.raises(ImageTooLargeError):
        open_image(path, max_pixels=10_000)
    assert open_image(path, max_pixels=60_000).size == (300, 200)


def test_bomb_header_is_refused_without_decoding(tmp_path):
    # A 1x1 PNG whose IHDR is rewritten to claim 30000 x 30000 pixels.
    buf = io.BytesIO()
    Image.new("L", (1, 1)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    ihdr = struct.pack(">II", 30000, 30000) + bytes(data[24:29])
    data[16:33] = ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    path = tmp_path / "bomb.png"
    path.write_bytes(bytes(data))
    with pytest.raises(ImageTooLargeError) as caught:
        open_image(path)
    # Over twice Pillow's own limit, Pillow refuses it first, without its size: the same words.
    assert caught.value.message == "900.0 million pixels; photoguard takes photos of up to 100 million pixels"


def _png_claiming(path, width: int, height: int):
    """A 1 x 1 PNG whose header claims ``width x height`` (Pillow and the limit read only that)."""
    buf = io.BytesIO()
    Image.new("L", (1, 1)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:33] = ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    path.write_bytes(bytes(data))
    return path


def test_the_pixel_limit_is_100_mp_and_only_the_limit(tmp_path, monkeypatch):
    # One pixel over 100 MP: refused from the header, in plain words.
    with pytest.raises(ImageTooLargeError) as caught:
        open_image(_png_claiming(tmp_path / "over.png", 10_001, 10_000))
    assert "10001 x 10000 = 100.0 million pixels; photoguard takes photos of up to 100 million" in str(caught.value)
    # Pillow warns from 89.5 MP; that warning is not the limit. Its threshold made small here so
    # a small photo stands for a 90 MP one (the real size below, marked slow).
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    path = tmp_path / "over-pillows-warning.png"
    Image.new("RGB", (40, 40)).save(path)  # 1600 pixels: over Pillow's 1000, under twice that
    assert open_image(path).size == (40, 40)


@pytest.mark.slow
def test_a_92_mp_photo_is_read(tmp_path):
    path = tmp_path / "92mp.png"
    Image.new("L", (9600, 9600)).save(path, compress_level=1)  # 92.2 MP, between Pillow's 89.5 and 100
    assert open_image(path).size == (9600, 9600)


# --- loader: every mode to 8-bit RGB ------------------------------------------------


def test_one_pixel(tmp_path):
    path = tmp_path / "dot.png"
    Image.new("RGB", (1, 1), (10, 200, 30)).save(path)
    loaded = open_image(path)
    assert loaded.rgb.shape == (1, 1, 3) and loaded.rgb.dtype == np.uint8
    assert loaded.rgb[0, 0].tolist() == [10, 200, 30]


def test_16bit_grey_png(tmp_path):
    grey = np.linspace(0, 65535, 32 * 16).reshape(16, 32).astype(np.uint16)
    path = tmp_path / "grey16.png"
    Image.fromarray(grey).save(path)
    assert Image.open(path).mode.startswith("I")
    loaded = open_image(path)
    assert loaded.rgb.shape == (16, 32, 3) and loaded.rgb.dtype == np.uint8
    expected = np.rint(grey / 65535.0 * 255).astype(np.uint8)
    assert np.abs(loaded.rgb[..., 0].astype(int) - expected).max() <= 1
    assert (loaded.rgb[..., 0] == loaded.rgb[..., 2]).all()


def test_16bit_rgb_png(tmp_path):
    cv2 = pytest.importorskip("cv2")
    rgb16 = _photo(16, 32).astype(np.uint16) * 257
    path = tmp_path / "rgb16.png"
    assert cv2.imwrite(str(path), rgb16[..., ::-1].copy())  # cv2 writes BGR
    loaded = open_image(path)
    assert loaded.rgb.shape == (16, 32, 3) and loaded.rgb.dtype == np.uint8
    assert np.abs(loaded.rgb.astype(int) - _photo(16, 32)).max() <= 1


def test_cmyk_jpeg(tmp_path):
    path = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (20, 10), (0, 255, 255, 0)).save(path, quality=95)  # pure red in CMYK
    loaded = open_image(path)
    assert loaded.rgb.shape == (10, 20, 3) and loaded.rgb.dtype == np.uint8
    r, g, b = loaded.rgb[5, 10].astype(int)
    assert r > 200 and g < 60 and b < 60


def test_palette_png_with_transparency(tmp_path):
    im = Image.new("P", (8, 4))
    im.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    im.paste(1, (4, 0, 8, 4))  # right half: index 1 (blue)
    im.info["transparency"] = 0
    path = tmp_path / "pal.png"
    im.save(path, transparency=0)
    loaded = open_image(path)
    assert loaded.rgb.shape == (4, 8, 3)
    assert loaded.alpha is not None and loaded.alpha[:, :4].max() == 0 and loaded.alpha[:, 4:].min() == 255
    assert loaded.rgb[0, 6].tolist() == [0, 0, 255]


def test_la_png(tmp_path):
    la = Image.merge("LA", [Image.new("L", (6, 3), 90), Image.new("L", (6, 3), 128)])
    path = tmp_path / "la.png"
    la.save(path)
    loaded = open_image(path)
    assert loaded.rgb.shape == (3, 6, 3) and (loaded.rgb == 90).all()
    assert loaded.alpha is not None and (loaded.alpha == 128).all()


def test_exif_orientation_6_is_applied(tmp_path):
    rgb = np.zeros((32, 64, 3), np.uint8)
    rgb[:, :32] = (255, 0, 0)  # left half red, right half blue
    rgb[:, 32:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    path = tmp_path / "rotated.jpg"
    path.write_bytes(_jpeg(rgb, exif=exif.tobytes(), subsampling=0))
    loaded = open_image(path)
    assert loaded.size == (32, 64)  # width and height swapped
    expected = np.rot90(rgb, k=-1)  # clockwise: the left half becomes the top half
    assert np.abs(loaded.rgb.astype(int) - expected).mean() < 4
    assert loaded.rgb[4, 16, 0] > 200 and loaded.rgb[60, 16, 2] > 200
