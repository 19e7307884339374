"""``photoguard inspect`` and ``photoguard strip``: mirroring, exit codes, inputs untouched."""

from __future__ import annotations

import hashlib
import json

import pytest
from _metadata_fixtures import SECRET, dirty_jpeg, dirty_png, dirty_webp

from photoguard.batch.paths import iter_inputs, plan_outputs
from photoguard.cli import main
from photoguard.errors import UsageError


def _tree(root):
    (root / "day1").mkdir(parents=True)
    (root / "day2" / "deep").mkdir(parents=True)
    dirty_jpeg(root / "day1" / "IMG_0001.jpg", thumbnail=False)
    dirty_png(root / "day2" / "IMG_0001.jpg")  # same name, other folder (and a PNG despite the name)
    dirty_webp(root / "day2" / "deep" / "x.webp")
    (root / "notes.txt").write_text("not an image")
    return root


def _digest(root):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_strip_folder_mirrors_paths_and_leaves_inputs(tmp_path, capsys):
    src = _tree(tmp_path / "trip")
    before = _digest(src)
    assert main(["strip", str(src), "-o", str(tmp_path / "out")]) == 0
    out = tmp_path / "out"
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["day1/IMG_0001.jpg", "day2/IMG_0001.jpg", "day2/deep/x.webp"]
    for p in out.rglob("*.*"):
        assert SECRET.encode() not in p.read_bytes()
    assert _digest(src) == before
    text = capsys.readouterr().out
    assert "skipped" in text and "notes.txt" in text and "3 file(s) stripped, 0 failed" in text
    assert not list(out.rglob(".*.part"))


def test_default_jobs_use_the_cores_for_a_big_folder_only(tmp_path, capsys, monkeypatch):
    from photoguard import batch
    from photoguard.batch import runner

    monkeypatch.setattr(runner.os, "cpu_count", lambda: 8)
    assert [batch.default_workers(n) for n in (1, 15, 16, 500)] == [1, 1, 4, 4]
    src = tmp_path / "shoot"
    src.mkdir()
    first = dirty_jpeg(src / "000.jpg")
    for i in range(1, 16):
        (src / f"{i:03d}.jpg").write_bytes(first.read_bytes())
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 2)
    assert main(["strip", str(src), "-o", str(tmp_path / "out"), "-q"]) == 0  # 16 files: 2 forked workers
    outputs = sorted((tmp_path / "out").glob("*.jpg"))
    assert len(outputs) == 16 and all(SECRET.encode() not in p.read_bytes() for p in outputs)
    assert "16 file(s) stripped, 0 failed" in capsys.readouterr().out


def test_bad_file_is_one_line_and_batch_continues(tmp_path, capsys):
    src = _tree(tmp_path / "trip")
    (src / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    code = main(["strip", str(src), "-o", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 1
    errors = [line for line in captured.err.splitlines() if line]
    assert len(errors) == 2 and "broken.jpg" in errors[0] and "truncated" in errors[0]
    assert errors[1] == "photoguard: error: 1 of 4 file(s) failed; the other 3 were stripped"
    assert "3 file(s) stripped, 1 failed" in captured.out
    assert not (tmp_path / "out" / "broken.jpg").exists()


def test_in_place_is_atomic_and_only_when_asked(tmp_path, capsys):
    f = dirty_png(tmp_path / "a.png")
    assert main(["strip", str(f)]) == 2  # neither -o nor --in-place
    assert main(["strip", str(f), "-o", str(tmp_path / "o"), "--in-place"]) == 2
    assert SECRET.encode() in f.read_bytes()
    assert main(["strip", "--in-place", str(f)]) == 0
    assert SECRET.encode() not in f.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_collisions_are_a_usage_error_before_writing(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    dirty_png(a / "IMG.png"), dirty_png(b / "IMG.png")
    assert main(["strip", str(a / "IMG.png"), str(b / "IMG.png"), "-o", str(tmp_path / "out")]) == 2
    assert "both be written" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_missing_input_fails_with_exit_1(tmp_path, capsys):
    good = dirty_png(tmp_path / "a.png")
    assert main(["strip", str(good), str(tmp_path / "nope.jpg"), "-o", str(tmp_path / "out")]) == 1
    assert "no such file" in capsys.readouterr().err
    assert (tmp_path / "out" / "a.png").exists()


def test_inspect_text_and_json(tmp_path, capsys):
    src = _tree(tmp_path / "trip")
    assert main(["inspect", str(src / "day1" / "IMG_0001.jpg")]) == 0
    text = capsys.readouterr().out
    assert "location 37.498 N, 127.028 E" in text and "motion-photo video" in text
    assert main(["inspect", "--json", str(src)]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert [r["format"] for r in reports] == ["JPEG", "PNG", "WEBP"]
    assert all(r["findings"] for r in reports)


def test_output_folder_inside_input_is_not_walked(tmp_path):
    src = _tree(tmp_path / "trip")
    assert main(["strip", str(src), "-o", str(src / "clean")]) == 0
    assert (
        main(["strip", str(src), "-o", str(src / "clean"), "--overwrite"]) == 0
    )  # again: its own output is not walked
    assert not (src / "clean" / "clean").exists()
    assert sorted(p.name for p in (src / "clean").iterdir()) == ["day1", "day2"]


def test_plan_outputs_is_reusable(tmp_path):
    src = _tree(tmp_path / "trip")
    plan = plan_outputs(iter_inputs([src], recursive=False), tmp_path / "o")
    assert [dst.name for _, dst in plan] == ["notes.txt"]
    with pytest.raises(UsageError):
        plan_outputs(list(iter_inputs([src / "day1" / "IMG_0001.jpg"])) * 2, tmp_path / "o")
