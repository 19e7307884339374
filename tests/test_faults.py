"""The probe's corpus, kept running: malformed files, hostile names and metadata, odd file types,
failing writes and interrupted batches. Each case must end in a clear error or a correct result,
with the input unchanged and no partial output.
"""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from _metadata_fixtures import png_chunk
from conftest import SAMPLE
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from photoguard.cli import main
from photoguard.errors import MetadataError

ROOT = Path(__file__).resolve().parents[1]


def jpeg(path: Path, artist: str | None = None, size: tuple[int, int] = (64, 48)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    exif = Image.Exif()
    if artist:
        exif[0x013B] = artist
    Image.fromarray(np.full((size[1], size[0], 3), 180, np.uint8)).save(path, "JPEG", exif=exif)
    return path


def leftovers(folder: Path) -> list[str]:
    """Hidden temp files an interrupted or failed write could leave behind."""
    return sorted(
        p.name
        for p in folder.rglob("*")
        if (p.name.startswith(".") and p.name.endswith(".part")) or ".photoguard-" in p.name
    )


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real console script in a fresh process (a hang is a failure, not a stuck test run)."""
    code = "import sys; from photoguard.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )


# --- file types that are not regular files ------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["inspect"], ["strip", "-o", "OUT"], ["strip", "-o", "OUT", "--dry-run"], ["protect", "-o", "OUT", "--dry-run"]],
)
def test_a_fifo_is_refused_not_read(tmp_path, command):
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    args = [a.replace("OUT", str(tmp_path / "out")) for a in command]
    run = cli(args[0], str(fifo), *args[1:], timeout=30)  # it used to block forever in the format sniff
    assert run.returncode in (1, 0) and "Traceback" not in run.stderr
    if "--dry-run" not in args:
        assert run.returncode == 1 and "not a regular file" in run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.jpg"))


def test_a_folder_named_like_a_photo_is_walked_not_read(tmp_path):
    (tmp_path / "x.jpg").mkdir()
    jpeg(tmp_path / "x.jpg" / "inside.jpg", artist="Jane Doe")
    assert main(["strip", str(tmp_path / "x.jpg"), "-o", str(tmp_path / "out"), "-q"]) == 0
    assert b"Jane Doe" not in (tmp_path / "out" / "inside.jpg").read_bytes()


# --- hostile metadata and names -----------------------------------------------------------------


def test_inspect_does_not_pass_terminal_escapes_through(tmp_path, capsys):
    info = PngInfo()
    info.add_text("Comment", "\x1b]0;pwned\x07\x1b[2J\nprivacy findings: none\u202e")
    path = tmp_path / "evil.png"
    Image.new("RGB", (8, 8)).save(path, pnginfo=info)
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b]0;pwned" in out
    # the planted "privacy findings: none" stays inside its value, on the value's line
    assert [line.strip() for line in out.splitlines() if line.strip().startswith("privacy findings:")] == [
        "privacy findings:"
    ]


def test_a_file_name_that_is_not_utf8_keeps_the_report_and_the_summary(tmp_path, capsys):
    folder = tmp_path / "in"
    jpeg(folder / "ok.jpg", artist="Jane Doe")
    odd = os.fsencode(folder) + b"/caf\xe9.jpg"
    with open(odd, "wb") as fh:
        fh.write((folder / "ok.jpg").read_bytes())
    report = tmp_path / "r.json"
    assert main(["strip", str(folder), "-o", str(tmp_path / "out"), "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "2 file(s) stripped" in out and "caf\\xe9.jpg" in out
    rows = json.loads(report.read_text())
    assert len(rows) == 2 and any(os.fsencode(r["path"]).endswith(b"caf\xe9.jpg") for r in rows)


def test_in_place_through_a_symlink_cleans_the_real_photo(tmp_path):
    real = jpeg(tmp_path / "real" / "IMG_0001.jpg", artist="Jane Doe")
    link = tmp_path / "link.jpg"
    link.symlink_to(real)
    assert main(["strip", str(link), "--in-place", "-q"]) == 0
    assert link.is_symlink() and link.resolve() == real
    assert b"Jane Doe" not in real.read_bytes()
    assert leftovers(tmp_path) == []


# --- files that are not pictures, or are several ------------------------------------------------


def _webp_with_wrong_canvas() -> bytes:
    """An extended WebP (EXIF makes Pillow write VP8X) whose canvas says 64 px wide over a 37 px image."""
    buf = io.BytesIO()
    Image.new("RGB", (37, 21), (90, 60, 30)).save(buf, "WEBP", exif=Image.Exif().tobytes())
    data = bytearray(buf.getvalue())
    assert data[12:16] == b"VP8X"
    data[24:27] = (64 - 1).to_bytes(3, "little")
    return bytes(data)


@pytest.mark.parametrize(
    "name, data, why",
    [
        ("markers.jpg", b"\xff\xd8\xff\xd9", "no frame header"),
        ("canvas.webp", _webp_with_wrong_canvas(), "the canvas is 64x21 but the image data is 37x21"),
        (
            "zero.jpg",
            b"\xff\xd8\xff\xc0\x00\x0b\x08\x00\x00\x00\x00\x01\x01\x11\x00"
            b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x00\xff\xd9",
            "0x0 pixels",
        ),
    ],
)
def test_strip_refuses_files_that_hold_no_picture(tmp_path, capsys, name, data, why):
    src = tmp_path / name
    src.write_bytes(data)
    assert main(["strip", str(src), "-o", str(tmp_path / "out"), "-q"]) == 1
    assert why in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and src.read_bytes() == data


def _animated(path: Path, fmt: str) -> Path:
    blank = Image.new("RGB", (64, 64), (40, 40, 40))
    face = Image.open(SAMPLE).convert("RGB").resize((64, 64))
    blank.save(path, fmt, save_all=True, append_images=[face, face], **({"duration": 100} if fmt != "TIFF" else {}))
    return path


@pytest.mark.parametrize("name, fmt", [("anim.png", "PNG"), ("anim.webp", "WEBP"), ("pages.tif", "TIFF")])
def test_several_frames_are_refused_not_passed_on_uncloaked(tmp_path, capsys, name, fmt):
    src = _animated(tmp_path / name, fmt)
    before = src.read_bytes()
    assert main(["protect", str(src), "-o", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert " frames or pages (animated or multi-page)" in err and "save the frame or page you want to post" in err
    assert src.read_bytes() == before
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.*"))


def test_a_tiff_tag_with_no_value_is_an_error_not_a_crash(tmp_path, capsys):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "TIFF")
    data = bytearray(buf.getvalue())
    ifd = struct.unpack_from("<I", data, 4)[0]
    for k in range(struct.unpack_from("<H", data, ifd)[0]):
        entry = ifd + 2 + 12 * k
        if struct.unpack_from("<H", data, entry)[0] == 259:  # Compression: count 0
            struct.pack_into("<I", data, entry + 4, 0)
    src = tmp_path / "count0.tif"
    src.write_bytes(bytes(data))
    for args in (["inspect", str(src)], ["strip", str(src), "-o", str(tmp_path / "out")]):
        code = main(args)
        err = capsys.readouterr().err
        assert code in (0, 1) and "internal error" not in err and "IndexError" not in err


def test_an_icc_zip_bomb_is_dropped_not_kept(tmp_path):
    from photoguard.metadata import strip_bytes
    from photoguard.metadata.png import MAX_ICC_BYTES

    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "PNG")
    png = buf.getvalue()
    bomb = png_chunk(b"iCCP", b"bomb\x00\x00" + zlib.compress(b"\x00" * (MAX_ICC_BYTES + 1024), 9))
    dirty = png[:33] + bomb + png[33:]  # right after IHDR
    clean, report = strip_bytes(dirty)
    assert b"iCCP" not in clean and any("decompression bomb" in a.reason for a in report.removed)
    fine = png[:33] + png_chunk(b"iCCP", b"sRGB\x00\x00" + zlib.compress(b"\x01" * 3000)) + png[33:]
    assert b"iCCP" in strip_bytes(fine)[0]


def test_a_png_with_an_oversized_text_chunk_still_decodes(tmp_path):
    from photoguard.imageio import decode_image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(buf, "PNG")
    png = buf.getvalue()
    text = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"a" * (2 << 20)))
    loaded = decode_image(png[:33] + text + png[33:])
    assert loaded.rgb.shape == (8, 8, 3) and tuple(loaded.rgb[0, 0]) == (10, 200, 30)


# --- failing handlers and full disks ------------------------------------------------------------


def test_a_failing_self_check_is_an_error_not_a_quiet_re_encode(tmp_path, monkeypatch):
    import photoguard.metadata as metadata
    from photoguard.imageio import open_image
    from photoguard.pipeline import ProtectOptions
    from photoguard.pipeline.write import encode as _encode
    from photoguard.types import ProtectResult

    src = jpeg(tmp_path / "wall.jpg", artist="Jane Doe")

    def broken(data, *, keep_icc, name):
        raise MetadataError(f"{name}: stripped output still holds owner name: Jane Doe; nothing written")

    monkeypatch.setattr(metadata, "_strip_checked", broken)
    loaded = open_image(src)
    result = ProtectResult(image=loaded.rgb, faces=[], timings={}, psnr=float("inf"))
    with pytest.raises(MetadataError, match="still holds owner name"):
        _encode(loaded, None, result, ProtectOptions(jpeg_quality=95, keep_icc=True))


def test_a_full_disk_is_one_clear_line_and_nothing_is_left(tmp_path, capsys, monkeypatch):
    import photoguard.fileio as fileio

    src = jpeg(tmp_path / "in" / "a.jpg", artist="Jane Doe")
    real_write = os.write

    def full(fd, data):
        if fd > 2 and os.fstat(fd).st_size + len(data) > 100:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(fileio.os, "write", full)
    monkeypatch.setattr(
        fileio.os, "copy_file_range", lambda *a: (_ for _ in ()).throw(OSError(errno.EXDEV, "x")), raising=False
    )
    assert main(["strip", str(src), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "internal error" not in err and "BufferError" not in err
    assert leftovers(tmp_path) == [] and not list((tmp_path / "out").glob("*.jpg"))
    assert b"Jane Doe" in src.read_bytes()


def test_a_report_path_that_is_a_folder_is_a_usage_error(tmp_path, capsys):
    src = jpeg(tmp_path / "a.jpg")
    (tmp_path / "r.json").mkdir()
    assert main(["strip", str(src), "-o", str(tmp_path / "out"), "--report", str(tmp_path / "r.json")]) == 2
    assert "is a folder" in capsys.readouterr().err and not (tmp_path / "out").exists()


# --- interrupted batches ------------------------------------------------------------------------


_SLOW_BATCH = textwrap.dedent("""
    import os, sys, time
    from dataclasses import dataclass
    from pathlib import Path
    from photoguard.batch import Job, Operation, Record, run

    @dataclass(frozen=True)
    class Slow(Operation):
        folder: str = ""
        def __call__(self, job, progress=None):
            Path(self.folder, f"worker-{os.getpid()}").write_text("")
            time.sleep(60)
            return Record(str(job.src), None, "done")

    folder = sys.argv[1]
    jobs = [Job(Path(folder, f"{i}.jpg"), Path(folder, f"out-{i}.jpg")) for i in range(4)]
    run(jobs, Slow(folder=folder), workers=2)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its reaper is gone for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_with_their_parent(tmp_path, sig):
    parent = subprocess.Popen([sys.executable, "-c", _SLOW_BATCH, str(tmp_path)], cwd=ROOT)
    deadline = time.monotonic() + 30
    while len(list(tmp_path.glob("worker-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = [int(p.name.split("-")[1]) for p in tmp_path.glob("worker-*")]
    assert len(workers) == 2, "the workers did not start"
    parent.send_signal(sig)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "a worker outlived its parent"


@pytest.mark.weights
def test_protect_in_place_through_a_symlink_replaces_the_real_photo(weights, tmp_path):
    real = jpeg(tmp_path / "real" / "wall.jpg", artist="Jane Doe")
    link = tmp_path / "wall.jpg"
    link.symlink_to(real)
    assert main(["protect", str(link), "--in-place", "-q", "-s", "fast"]) == 0
    assert link.is_symlink() and b"Jane Doe" not in real.read_bytes()
    assert leftovers(tmp_path) == []
