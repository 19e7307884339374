"""Nothing lost (issue 27's probe, kept running): through the real console script, a run never
replaces a file it did not make, never leaves the original under a second hard link, keeps the
records of a killed run, removes the temporaries killed runs leave, finds an unwritable output
folder before any work, and says in its summary what happened."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLE
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
_MAIN = "import sys; from photoguard.cli import main; sys.exit(main(sys.argv[1:]))"


def cli(*args: str, timeout: float = 300, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``photoguard ARGS`` in a fresh process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-c", _MAIN, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )


def sky(path: Path, fmt: str | None = None, seed: int = 0, artist: str | None = None) -> Path:
    """A small face-free photo (noise on a gradient), optionally with an EXIF Artist."""
    rng = np.random.default_rng(seed)
    rgb = np.clip(np.linspace(0, 200, 64)[None, :, None] + rng.normal(0, 12, (48, 64, 3)), 0, 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    exif = Image.Exif()
    if artist:
        exif[0x013B] = artist
    Image.fromarray(rgb).save(path, fmt, exif=exif)
    return path


def portrait(path: Path, fmt: str | None = None) -> Path:
    """The public-domain astronaut at 256 px: one face, quick to cloak at ``fast``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.open(SAMPLE).convert("RGB").resize((256, 256), Image.LANCZOS).save(path, fmt)
    return path


# --- 1. a write never replaces a file the run did not make ---------------------------------------


def test_a_gif_written_as_png_does_not_replace_another_png(tmp_path):
    gif = sky(tmp_path / "same" / "pic.gif", "GIF")
    other = sky(tmp_path / "same" / "pic.png", "PNG", seed=1)
    before = other.read_bytes()
    done = cli("protect", str(gif), "-o", f"{tmp_path / 'same'}/")
    assert done.returncode == 2 and other.read_bytes() == before
    assert done.stderr == (
        f"photoguard: error: {other} exists and would be replaced: add --skip-existing to keep what is there, "
        "or --overwrite to replace it (nothing was written)\n"
    )
    # Asked for: --overwrite replaces it; --skip-existing keeps it.
    assert cli("protect", str(gif), "-o", f"{tmp_path / 'same'}/", "--skip-existing").returncode == 0
    assert other.read_bytes() == before
    done = cli("protect", str(gif), "-o", f"{tmp_path / 'same'}/", "--overwrite")
    assert done.returncode == 0, done.stderr
    assert other.read_bytes() != before and other.read_bytes().startswith(b"\x89PNG")


def test_a_rerun_into_the_same_folder_replaces_nothing_unless_asked(tmp_path):
    src = sky(tmp_path / "in" / "a.jpg", artist="Jane Doe")
    assert cli("strip", str(src), "-o", str(tmp_path / "out")).returncode == 0
    written = tmp_path / "out" / "a.jpg"
    written.write_bytes(b"the photographer's edit")  # not this run's file any more
    done = cli("strip", str(src), "-o", str(tmp_path / "out"))
    assert done.returncode == 2 and f"{written} exists" in done.stderr
    assert written.read_bytes() == b"the photographer's edit"
    assert cli("strip", str(src), "-o", str(tmp_path / "out"), "--overwrite").returncode == 0
    assert b"Jane Doe" not in written.read_bytes() and written.read_bytes().startswith(b"\xff\xd8")
    # A file named as the output is the user's choice: replaced.
    assert cli("protect", str(src), "-o", str(tmp_path / "named.jpg")).returncode == 0
    assert cli("protect", str(src), "-o", str(tmp_path / "named.jpg")).returncode == 0


@pytest.mark.weights
def test_an_iphone_heic_does_not_replace_the_jpeg_beside_it(weights, tmp_path):
    from pillow_heif import register_heif_opener

    register_heif_opener()
    heic = portrait(tmp_path / "same" / "IMG_1.HEIC", "HEIF")
    jpeg = sky(tmp_path / "same" / "IMG_1.jpg", "JPEG", artist="another photo")
    before = jpeg.read_bytes()
    done = cli("protect", str(heic), "-o", f"{tmp_path / 'same'}/", "-s", "fast")
    assert done.returncode == 2 and f"{jpeg} exists" in done.stderr, done.stderr
    assert jpeg.read_bytes() == before
    # Into another folder it is written as JPEG, as before.
    done = cli("protect", str(heic), "-o", f"{tmp_path / 'out'}/", "-s", "fast")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "IMG_1.jpg").read_bytes().startswith(b"\xff\xd8")


# --- 2. --in-place and hard links -----------------------------------------------------------------


@pytest.mark.parametrize("command", ["strip", "protect"])
def test_in_place_refuses_a_photo_with_another_hard_link(tmp_path, command):
    photo = sky(tmp_path / "in" / "a.jpg", artist="Jane Doe")
    other = tmp_path / "outside" / "b.jpg"
    other.parent.mkdir()
    os.link(photo, other)
    before = photo.read_bytes()
    done = cli(command, str(photo), "--in-place")
    assert done.returncode == 1
    [line, summary] = done.stderr.strip().splitlines()
    assert line == (
        f"photoguard: error: {photo}: has 1 other hard link(s): in place, the original (metadata and all) "
        "would stay under the other name(s); write a copy with -o OUT, or remove the other links first"
    )
    assert (
        summary
        == f"photoguard: error: 1 of 1 file(s) failed; nothing was {'stripped' if command == 'strip' else 'written'}"
    )
    assert photo.read_bytes() == before and other.read_bytes() == before and os.stat(photo).st_nlink == 2
    # With the other name gone, it is cleaned in place.
    other.unlink()
    assert cli(command, str(photo), "--in-place").returncode == 0
    assert b"Jane Doe" not in photo.read_bytes()


# --- 9. a killed run's records survive ----------------------------------------------------------


@pytest.mark.weights
@pytest.mark.slow
def test_records_of_a_killed_run_survive_its_resume(weights, tmp_path):
    shoot = tmp_path / "in"
    for i in range(4):
        portrait(shoot / f"p{i}.png")
    out, report = tmp_path / "out", tmp_path / "r.json"
    args = ["protect", str(shoot), "-o", str(out), "--jobs", "2", "-s", "fast", "--report", str(report)]
    run = subprocess.Popen(
        [sys.executable, "-c", _MAIN, *args],
        cwd=ROOT,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 400
    while len(list(out.glob("*.png"))) < 2 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    finished = sorted(p.name for p in out.glob("*.png"))
    assert len(finished) >= 2 and not report.exists(), "the run was not killed in the middle"
    done = cli(*args, "--skip-existing", timeout=600)
    assert done.returncode == 0, done.stderr
    records = {Path(r["path"]).name: r for r in json.loads(report.read_text())}
    assert sorted(records) == [f"p{i}.png" for i in range(4)]
    for name in finished:  # the killed run's records, verdict and all, not "skipped"
        assert records[name]["status"] == "done" and records[name]["verdict"] is not None, records[name]
    assert all(r["status"] == "done" for r in records.values())
    assert not (tmp_path / ".r.json.journal").exists()  # the report is written: no journal left


# --- 10. temporaries of killed runs ----------------------------------------------------------------

_HANGING_WRITE = textwrap.dedent("""
    import os, sys, time
    from photoguard import fileio
    os.fsync = lambda fd: time.sleep(600)  # the write hangs with its temporary on disk
    fileio.atomic_write_bytes(sys.argv[1], b"x" * 238_000)
""")


def _hang_writing(path: Path) -> subprocess.Popen:
    """A process (its own group) stuck writing ``path``, once its temporary is on disk."""
    proc = subprocess.Popen([sys.executable, "-c", _HANGING_WRITE, str(path)], cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while not list(path.parent.glob(f".{path.name}.*.part")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return proc


def test_a_killed_runs_temporary_goes_at_the_next_run(tmp_path):
    from photoguard.fileio import HOST_TAG, stale_temporaries

    src = tmp_path / "in"
    for i in range(2):
        sky(src / f"img{i}.jpg", seed=i)
    out = tmp_path / "out"
    assert cli("strip", str(src), "-o", str(out), "--include", "img0.jpg").returncode == 0
    killed = _hang_writing(out / "img1.jpg")
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    [stale] = out.glob(".img1.jpg.*.part")
    assert stale.name.endswith(f".{killed.pid}-{HOST_TAG}.part") and stale.stat().st_size == 238_000
    alive = _hang_writing(out / "img9.jpg")  # a run still writing: its temporary is left alone
    try:
        [live] = out.glob(".img9.jpg.*.part")
        assert stale_temporaries(out) == [stale]
        done = cli("strip", str(src), "-o", str(out), "--skip-existing")
        assert done.returncode == 0, done.stderr
        assert not stale.exists() and live.exists()
        assert sorted(p.name for p in out.iterdir()) == [live.name, "img0.jpg", "img1.jpg"]
    finally:
        os.killpg(alive.pid, signal.SIGKILL)
        alive.wait(timeout=30)


_SLOW_TORCH_BATCH = textwrap.dedent("""
    import os, sys, time
    from dataclasses import dataclass
    from pathlib import Path
    from photoguard.batch import Job, Operation, Record, run

    @dataclass(frozen=True)
    class Slow(Operation):
        folder: str = ""
        uses_torch: bool = True  # spawned workers: the pool's locks are named semaphores
        def __call__(self, job, progress=None):
            Path(self.folder, f"worker-{os.getpid()}").write_text("")
            time.sleep(60)
            return Record(str(job.src), None, "done")

    if __name__ == "__main__":  # spawned workers import this file again
        folder = sys.argv[1]
        jobs = [Job(Path(folder, f"{i}.jpg"), Path(folder, f"out-{i}.jpg")) for i in range(4)]
        run(jobs, Slow(folder=folder), workers=2)
""")


@pytest.mark.skipif(os.name != "posix", reason="named semaphores and SIGKILL are POSIX")
def test_a_killed_batch_prints_no_leaked_semaphore_warning(tmp_path):
    script = tmp_path / "slow_batch.py"
    script.write_text(_SLOW_TORCH_BATCH)
    parent = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("worker-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(list(tmp_path.glob("worker-*"))) == 2, "the workers did not start"
    parent.kill()
    _, err = parent.communicate(timeout=60)  # until every holder of the pipe (the tracker too) is gone
    assert "leaked semaphore" not in err and "resource_tracker" not in err, err


# --- 11. an output folder that cannot be written ----------------------------------------------------


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder no new file can be made in: a read-only tmpfs as root (permissions do not stop
    root), else a folder without write permission."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("root, and no read-only file system can be mounted here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_an_unwritable_output_folder_is_found_before_any_work(tmp_path, read_only_folder):
    src = tmp_path / "in"
    for i in range(4):
        sky(src / f"img{i}.jpg", seed=i)
    for command in ("strip", "protect"):
        start = time.monotonic()
        done = cli(command, str(src), "-o", str(read_only_folder / "out"))
        assert done.returncode == 2, done.stderr
        [line] = done.stderr.strip().splitlines()
        assert line.startswith(f"photoguard: error: cannot write in {read_only_folder} (") and line.endswith(
            "; nothing was done"
        )
        assert done.stdout == "" and time.monotonic() - start < 60


def test_a_mistyped_path_says_nothing_was_written(tmp_path):
    done = cli("strip", str(tmp_path / "holday.jpg"), "-o", str(tmp_path / "out"))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"photoguard: error: {tmp_path / 'holday.jpg'}: no such file",
        "photoguard: error: 1 of 1 file(s) failed; nothing was stripped",
    ]


# --- 12. one rule for names that are not UTF-8 --------------------------------------------------------


def test_every_json_output_is_valid_utf8_for_a_name_that_is_not(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/\xff\xfe.jpg"
    sky(Path(os.fsdecode(raw)), "JPEG", artist="Jane Doe")
    outputs = {
        "inspect": cli("inspect", "--json", str(folder)),
        "strip": cli("strip", "--json", str(folder), "-o", str(tmp_path / "out"), "--report", str(tmp_path / "r.json")),
    }
    for command, done in outputs.items():
        assert done.returncode == 0, done.stderr
        [row] = json.loads(done.stdout.encode("utf-8", "surrogateescape").decode("utf-8"))  # strict UTF-8
        assert os.fsencode(row["path"]) == raw, command
        assert "\\udcff\\udcfe.jpg" in done.stdout
    [row] = json.loads((tmp_path / "r.json").read_bytes().decode("utf-8"))
    assert os.fsencode(row["path"]) == raw


# --- 14. the CSV report -------------------------------------------------------------------------------


def test_the_csv_report_holds_no_control_character_and_no_formula(tmp_path):
    import csv

    src = tmp_path / "in"
    names = ["\x1b[31mred\x07.jpg", "=HYPERLINK(1).jpg", "+1.jpg", "-x.jpg", "@sum.jpg", "plain.jpg"]
    for i, name in enumerate(names):
        sky(src / name, "JPEG", seed=i)
    args = ["strip", "-o", "../out", "--report", "../r.csv"]
    done = cli(*args, "--", *names, cwd=src)  # relative names: each cell starts with the name
    assert done.returncode == 0, done.stderr
    data = (tmp_path / "r.csv").read_bytes()
    assert not any(b < 0x20 and b != 0x0A for b in data)
    rows = list(csv.DictReader(data.decode("utf-8").splitlines()))
    assert [r["path"] for r in rows] == [
        "\\x1b[31mred\\x07.jpg",
        "'=HYPERLINK(1).jpg",
        "'+1.jpg",
        "'-x.jpg",
        "'@sum.jpg",
        "plain.jpg",
    ]
    assert rows[1]["output"] == "../out/=HYPERLINK(1).jpg"  # not at the start: not a formula
    # A resumed run still finds each earlier row by its name as written.
    assert cli(*args, "--skip-existing", "--", *names, cwd=src).returncode == 0
    resumed = list(csv.DictReader((tmp_path / "r.csv").read_text().splitlines()))
    assert [r["status"] for r in resumed] == ["done"] * len(names)
