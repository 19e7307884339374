"""``photoguard protect`` end to end: one real cloak (small astronaut crop, ``fast``), output naming
for a single photo, the per-face report, and help texts a photographer can read."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from photoguard.cli import main
from photoguard.config import PRESETS

ASTRONAUT = "examples/astronaut.png"


@pytest.fixture(scope="module")
def portrait(tmp_path_factory):
    """The public-domain astronaut, 256 px: one face, big enough to cloak, small enough to be quick."""
    path = tmp_path_factory.mktemp("in") / "portrait.png"
    Image.open(ASTRONAUT).convert("RGB").resize((256, 256), Image.LANCZOS).save(path)
    return path


@pytest.mark.weights
def test_protect_one_photo_into_a_folder_with_a_report(portrait, tmp_path, capsys):
    report = tmp_path / "report.json"
    code = main(["protect", str(portrait), "-o", f"{tmp_path / 'out'}/", "-s", "fast", "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 0
    written = tmp_path / "out" / "portrait.png"
    assert written.exists()
    first = out.splitlines()[0]
    [record] = json.loads(report.read_text())
    # The line leads with the held-out verdict, which the report holds too.
    assert record["verdict"] in ("protected", "not protected")
    assert record["headline"] == record["verdict"] + ("" if record["verdict"] == "protected" else " (try strong)")
    assert first.startswith(f"{record['headline']}  {portrait} -> {written}: 1 of 1 face(s) cloaked;")
    assert "1 file(s) cloaked, 0 with no face (metadata stripped only), 0 failed in" in out
    held_out = PRESETS["fast"].holdout
    assert f"verdict for 1 photo(s): 1 {record['verdict']} (held-out check by {held_out}" in out
    assert record["status"] == "done" and record["faces"] == 1 and record["faces_protected"] == 1
    assert record["output"] == str(written) and record["message"] in first
    [face] = record["verification"]
    assert face["encoder"] == held_out and face["before"] == 1.0
    assert -1.0 <= face["after"] < 1.0 and 0 < face["threshold"] < 1
    assert face["still_recognised"] == (face["after"] >= face["threshold"])
    assert face["status"] == ("still recognised" if face["still_recognised"] else "protected")
    assert 25 < record["psnr"] < 60 and record["seconds"] > 0
    protected = np.asarray(Image.open(written).convert("RGB"))
    assert protected.shape == (256, 256, 3) and not np.array_equal(protected, np.asarray(Image.open(portrait)))


def test_single_photo_to_a_named_file(tmp_path, capsys):
    rng = np.random.default_rng(0)
    src = tmp_path / "sky.png"
    Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(src)
    assert main(["protect", str(src), "-o", str(tmp_path / "clean.png")]) == 0
    assert (tmp_path / "clean.png").read_bytes().startswith(b"\x89PNG")
    assert f"no face  {src} -> {tmp_path / 'clean.png'}: metadata stripped only" in capsys.readouterr().out
    # A PNG is written as PNG: a .jpg name would lie about the format.
    assert main(["protect", str(src), "-o", str(tmp_path / "clean.jpg")]) == 2
    assert "name the output clean.png" in capsys.readouterr().err
    assert not (tmp_path / "clean.jpg").exists()
    # An existing folder, or a name without a suffix, is a folder.
    assert main(["protect", str(src), "-o", str(tmp_path / "outdir")]) == 0
    assert (tmp_path / "outdir" / "sky.png").exists()
    assert main(["protect", str(src), "-o", str(tmp_path / "sky.png")]) == 2  # the input itself


def test_help_reads_well(capsys):
    assert main(["--help"]) == 0
    top = capsys.readouterr().out
    for command in ("protect", "strip", "verify", "inspect"):
        assert command in top
    assert main(["protect", "--help"]) == 0
    text = capsys.readouterr().out
    for phrase in (
        "Exit codes: 0 all done, 1 some files failed",
        "--skip-existing",
        "--jobs",
        "--report",
        "--dry-run",
        "--in-place",
        "never changed",
        "photoguard protect shoot/ -o delivered/",
    ):
        assert phrase in text, phrase
    assert main(["strip", "--help"]) == 0
    assert "--skip-existing" in capsys.readouterr().out


def test_version(capsys):
    from photoguard import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"photoguard {__version__}"


@pytest.mark.weights
def test_fail_unprotected_exits_3_when_the_check_still_recognises_a_face(portrait, tmp_path, capsys, monkeypatch):
    import photoguard.verify

    # A threshold no face gets under: the held-out check calls every face still recognised.
    monkeypatch.setattr(photoguard.verify, "verdict_threshold", lambda name: -1.0)
    args = ["protect", str(portrait), "-o", f"{tmp_path / 'out'}/", "-s", "fast"]
    assert main(args) == 0  # without the option the file is written and the exit is 0
    out = capsys.readouterr().out
    assert out.startswith("not protected (try strong)  ")
    assert "photos with a face still recognised: try --strength strong for them" in out
    assert main([*args, "--fail-unprotected", "--overwrite"]) == 3
    captured = capsys.readouterr()
    assert "photoguard: 1 photo(s) not fully protected" in captured.err
    assert (tmp_path / "out" / "portrait.png").exists()


@pytest.mark.weights
def test_a_face_too_small_is_its_own_case(tmp_path, capsys):
    """The astronaut shrunk until her face is about 30 px: left as it is, said so on its line and
    in the summary (not "no face", never "try strong"); --fail-unprotected still exits 3."""
    small = tmp_path / "in" / "far.png"
    small.parent.mkdir()
    Image.open(ASTRONAUT).convert("RGB").resize((160, 160), Image.LANCZOS).save(small)
    report = tmp_path / "report.json"
    args = ["protect", str(small), "-o", f"{tmp_path / 'out'}/", "-s", "medium", "--report", str(report)]
    assert main(args) == 0
    out = capsys.readouterr().out
    first, *rest = out.splitlines()
    assert first.startswith(f"too small to cloak  {small} -> ")
    assert re.search(
        r": 0 of 1 face\(s\) cloaked; 1 face\(s\) too small to cloak \(3\d px; left as they are\); metadata stripped only$",
        first,
    )
    assert "verdict for 1 photo(s): 1 with faces too small to cloak\n" in out
    assert "faces under 40 px are left as they are (too small to cloak; a stronger setting does not change that)" in out
    assert "0 file(s) cloaked, 0 with no face (metadata stripped only), 1 with faces too small to cloak" in out
    assert "strong" not in out.replace("a stronger setting", "")
    [record] = json.loads(report.read_text())
    assert (record["verdict"], record["headline"], record["faces"]) == ("too small", "too small to cloak", 1)
    assert main([*args, "--fail-unprotected", "--overwrite"]) == 3  # not protected, whatever the reason


def _run(args: list[str], stdin: bytes) -> subprocess.CompletedProcess:
    code = "import sys; from photoguard.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        capture_output=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )


@pytest.mark.weights
def test_protect_and_strip_read_stdin_and_write_stdout(tmp_path):
    import io

    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = "Jane Doe"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(buf, "JPEG", exif=exif)
    photo = buf.getvalue()
    run = _run(["protect", "-", "-o", "-"], photo)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(b"\xff\xd8") and b"Jane Doe" not in run.stdout
    assert run.stderr.decode().startswith("no face  - -> -: metadata stripped only")
    run = _run(["strip", "-", "-o", str(tmp_path / "clean.jpg")], photo)
    assert run.returncode == 0 and b"Jane Doe" not in (tmp_path / "clean.jpg").read_bytes()
    assert b"removed" in run.stderr
    run = _run(["inspect", "-"], photo)
    assert run.returncode == 0 and b"Jane Doe" in run.stdout


@pytest.mark.weights
@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_is_accepted_anywhere_and_shows_stage_times(portrait, tmp_path, capsys, where):
    args = ["protect", str(portrait), "-o", f"{tmp_path / 'out'}/", "-s", "fast"]
    assert main(["-v", *args] if where == "before" else [*args, "--verbose"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert "[load " in line and " cloak " in line and " s]" in line
    assert main([*args, "--overwrite"]) == 0 and "[load " not in capsys.readouterr().out  # off again for the next run
