"""The batch engine through the real CLI: mirroring, collisions, patterns, skip/resume, reports,
bad files, exit codes, in-place atomicity, worker processes and Ctrl-C.

Photos here have no face (generated noise and gradients), so each costs milliseconds; the
cloak itself is exercised once, in ``test_cli_protect.py``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from PIL import Image
from pillow_heif import register_heif_opener

from photoguard.batch import FAILED, NO_FACE, Job, ProtectOperation, StripOperation, plan, run, write_report
from photoguard.batch.runner import PROGRESS_POLL
from photoguard.cli import main
from photoguard.errors import UsageError
from photoguard.progress import Stage
from photoguard.types import Verdict

PHOTOGUARD = Path(sys.executable).with_name("photoguard")
register_heif_opener()


def photo(path: Path, size: tuple[int, int] = (96, 64), fmt: str | None = None, seed: int = 0, **save) -> Path:
    """A small face-free photo: a gradient with noise."""
    w, h = size
    rng = np.random.default_rng(seed)
    grad = np.linspace(0, 200, w, dtype=np.float32)[None, :, None] + np.zeros((h, 1, 3), np.float32)
    rgb = np.clip(grad + rng.normal(0, 12, (h, w, 3)), 0, 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(path, fmt, **save)
    return path


def shoot(root: Path) -> Path:
    """A small shoot with the same name in two folders, mixed formats and a sidecar."""
    photo(root / "day1" / "IMG_0001.jpg", seed=1)
    photo(root / "day2" / "IMG_0001.jpg", seed=2)
    photo(root / "day2" / "IMG_0002.PNG", fmt="PNG", seed=3)
    photo(root / "day2" / "deep" / "IMG_0003.heic", fmt="HEIF", seed=4)
    (root / "day1" / "IMG_0001.xmp").write_text("<x:xmpmeta/>")
    return root


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def digest(root: Path) -> dict[str, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_protect_mirrors_the_tree_and_never_touches_inputs(tmp_path, capsys):
    src = shoot(tmp_path / "shoot")
    before = digest(src)
    assert main(["protect", str(src), "-o", str(tmp_path / "out"), "-s", "fast"]) == 0
    # Both IMG_0001.jpg survive side by side; the face-free HEIC is stripped losslessly and stays HEIC.
    assert files(tmp_path / "out") == [
        "day1/IMG_0001.jpg",
        "day2/IMG_0001.jpg",
        "day2/IMG_0002.PNG",
        "day2/deep/IMG_0003.heic",
    ]
    assert digest(src) == before
    out = capsys.readouterr().out
    assert "skipped  " in out and "IMG_0001.xmp (not a supported image)" in out
    assert "verdict for 4 photo(s): 4 with no face\n" in out
    assert "0 file(s) cloaked, 4 with no face (metadata stripped only), 0 failed, 1 skipped in" in out


def test_no_recursive_and_patterns(tmp_path, capsys):
    src = shoot(tmp_path / "shoot")
    photo(src / "top.jpg")
    assert main(["protect", str(src), "-o", str(tmp_path / "a"), "--no-recursive"]) == 0
    assert files(tmp_path / "a") == ["top.jpg"]
    assert main(["protect", str(src), "-o", str(tmp_path / "b"), "--include", "*.JPG", "--exclude", "day2/*"]) == 0
    assert files(tmp_path / "b") == ["day1/IMG_0001.jpg", "top.jpg"]
    assert main(["protect", str(src), "-o", str(tmp_path / "c"), "--include", "*.tif"]) == 2
    assert "no files to process" in capsys.readouterr().err


def test_collisions_are_refused_before_anything_is_written(tmp_path, capsys):
    # A HEIC photo is delivered as JPEG: IMG_0001.HEIC and IMG_0001.jpg would both become IMG_0001.jpg.
    photo(tmp_path / "in" / "IMG_0001.HEIC", fmt="HEIF")
    photo(tmp_path / "in" / "IMG_0001.jpg")
    assert main(["protect", str(tmp_path / "in"), "-o", str(tmp_path / "out")]) == 2
    assert "would both be written" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_bad_files_are_one_line_each_and_the_batch_goes_on(tmp_path, capsys):
    src = tmp_path / "shoot"
    photo(src / "good.jpg")
    (src / "empty.jpg").write_bytes(b"")
    (src / "truncated.jpg").write_bytes(photo(tmp_path / "t.jpg").read_bytes()[:300])
    (src / "text.png").write_text("not a picture")
    (src / "folder.jpg").mkdir()
    photo(src / "folder.jpg" / "inside.jpg")  # a folder named .jpg is a folder: walked, not failed
    unreadable = photo(src / "locked.jpg")
    unreadable.chmod(0)
    expected_failures = 3 + (os.geteuid() != 0)  # root reads anything
    try:
        code = main(["protect", str(src), "-o", str(tmp_path / "out"), "--report", str(tmp_path / "r.json")])
    finally:
        unreadable.chmod(0o644)
    err = [line for line in capsys.readouterr().err.splitlines() if line]
    assert code == 1
    assert len(err) == expected_failures + 1
    ok = 2 + (os.geteuid() == 0)
    assert (
        err[-1]
        == f"photoguard: error: {expected_failures} of {expected_failures + ok} file(s) failed; the other {ok} were written"
    )
    for name in ["empty.jpg", "truncated.jpg", "text.png"] + (["locked.jpg"] if os.geteuid() else []):
        assert sum(name in line for line in err[:-1]) == 1
    assert files(tmp_path / "out") == ["folder.jpg/inside.jpg", "good.jpg"] + (["locked.jpg"] if ok == 3 else [])
    records = {Path(r["path"]).name: r for r in json.loads((tmp_path / "r.json").read_text())}
    assert records["empty.jpg"]["status"] == FAILED and "0 bytes" in records["empty.jpg"]["error"]
    assert records["good.jpg"]["status"] == NO_FACE and records["good.jpg"]["faces"] == 0


def test_usage_errors_exit_2(tmp_path, capsys):
    good = photo(tmp_path / "a.jpg")
    assert main(["protect", str(good)]) == 2  # neither -o nor --in-place
    assert main(["protect", str(good), "-o", str(tmp_path / "o"), "--in-place"]) == 2
    assert main(["protect", str(good), "-o", str(tmp_path / "o"), "--report", str(tmp_path / "r.txt")]) == 2
    assert main(["protect", str(good), "-o", str(tmp_path / "o"), "--jobs", "0"]) == 2
    assert main(["protect", str(good), "-o", str(tmp_path / "o"), "--strength", "max"]) == 2
    assert main(["protect", "--in-place", "--skip-existing", str(good)]) == 2
    assert not (tmp_path / "o").exists()
    capsys.readouterr()


def test_skip_existing_and_dry_run(tmp_path, capsys):
    src = shoot(tmp_path / "shoot")
    out = tmp_path / "out"
    assert main(["protect", str(src / "day1"), "-o", str(out / "day1")]) == 0
    capsys.readouterr()
    assert main(["protect", str(src), "-o", str(out), "--skip-existing", "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert f"would skip  {src / 'day1' / 'IMG_0001.jpg'} (output exists)" in text
    assert (
        f"would protect {src / 'day2' / 'deep' / 'IMG_0003.heic'} -> {out / 'day2' / 'deep' / 'IMG_0003.jpg'}" in text
    )
    assert files(out) == ["day1/IMG_0001.jpg"]  # the dry run wrote nothing
    stamp = (out / "day1" / "IMG_0001.jpg").stat().st_mtime_ns
    assert main(["protect", str(src), "-o", str(out), "--skip-existing"]) == 0
    assert "0 failed, 2 skipped" in capsys.readouterr().out  # the sidecar and the finished photo
    assert (out / "day1" / "IMG_0001.jpg").stat().st_mtime_ns == stamp
    assert len(files(out)) == 4


def test_report_csv_and_json_have_one_record_per_file(tmp_path):
    src = shoot(tmp_path / "shoot")
    (src / "bad.jpg").write_bytes(b"\xff\xd8\xff")
    report = tmp_path / "report.csv"
    t0 = time.perf_counter()
    assert main(["strip", str(src), "-o", str(tmp_path / "out"), "--report", str(report), "-q"]) == 1
    elapsed = time.perf_counter() - t0
    rows = list(csv.DictReader(report.open()))
    assert len(rows) == 6 and {r["status"] for r in rows} == {"done", "skipped", "failed"}
    bad = next(r for r in rows if r["path"].endswith("bad.jpg"))
    assert bad["error"].startswith(str(src / "bad.jpg")) and bad["output"] == ""
    # seconds are measured per file: together no more than the run took, a file never started none
    assert sum(float(r["seconds"]) for r in rows) <= elapsed + 0.01
    assert all(float(r["seconds"]) == 0 for r in rows if r["status"] == "skipped")
    jobs = plan([src], StripOperation(), out=tmp_path / "o2")
    outcome = run(jobs, StripOperation())
    path = write_report(tmp_path / "r.json", outcome.records)
    data = json.loads(path.read_text())
    assert [Path(r["path"]).name for r in data] == [j.src.name for j in jobs]
    done = [r for r in data if r["status"] == "done"]
    assert len(done) == 4 and all("removed" in r["detail"] for r in done)
    assert all("detail" not in r for r in data if r["status"] != "done")
    with pytest.raises(UsageError):
        write_report(tmp_path / "r.txt", outcome.records)


def test_in_place_replaces_atomically_and_keeps_permissions(tmp_path, capsys):
    folder = tmp_path / "shoot"
    exif = Image.Exif()
    exif[0x013B] = "Jane Photographer"  # Artist
    jpg = photo(folder / "a.jpg", exif=exif)
    jpg.chmod(0o640)
    heic = photo(folder / "b.heic", fmt="HEIF")
    broken = folder / "c.jpg"
    broken.write_bytes(jpg.read_bytes()[:200])
    broken_bytes = broken.read_bytes()
    assert main(["protect", "--in-place", str(folder)]) == 1
    assert b"Jane Photographer" not in jpg.read_bytes()
    assert oct(jpg.stat().st_mode & 0o777) == "0o640"
    assert broken.read_bytes() == broken_bytes  # a failure leaves the original as it was
    # No temp file, hidden or not, is left next to the photos.
    assert sorted(p.name for p in folder.iterdir()) == ["a.jpg", "b.heic", "c.jpg"]
    assert Image.open(heic).format == "HEIF"
    err = capsys.readouterr().err
    assert "c.jpg" in err


def test_in_place_refuses_a_format_change(tmp_path):
    heic = photo(tmp_path / "b.heic", fmt="HEIF")
    op = ProtectOperation()
    [job] = plan([heic], op, in_place=True)
    assert job.error and "written as .jpg" in job.error
    outcome = run([job], op)
    assert outcome.records[0].status == FAILED and heic.exists()


def test_worker_processes_give_the_same_records(tmp_path):
    src = tmp_path / "shoot"
    for i in range(4):
        photo(src / f"IMG_{i:04d}.jpg", seed=i)
    (src / "zero.jpg").write_bytes(b"")
    op = StripOperation()
    one = run(plan([src], op, out=tmp_path / "o1"), op, workers=1)
    two = run(plan([src], op, out=tmp_path / "o2"), op, workers=2)
    assert [(r.path, r.status) for r in one.records] == [(r.path, r.status) for r in two.records]
    assert files(tmp_path / "o1") == files(tmp_path / "o2") and len(files(tmp_path / "o2")) == 4
    [error] = [r.error for r in two.records if r.error]
    assert error.startswith(str(src / "zero.jpg")) and "empty file" in error


@dataclasses.dataclass(frozen=True)
class _StagedStrip(StripOperation):
    """A strip that reports two stages, as protect does (module level: sent to spawned workers)."""

    def __call__(self, job, progress=None):
        for k in (1, 2):
            if progress is not None:
                progress(k / 2, Stage("step", i=1, n=1, s=k, steps=2))
        time.sleep(3 * PROGRESS_POLL)  # the stages are read while the file runs, as a cloak's would be
        return super().__call__(job, progress)


def test_worker_progress_reaches_the_batch_process(tmp_path):
    src = tmp_path / "shoot"
    for i in range(3):
        photo(src / f"IMG_{i:04d}.jpg", seed=i)
    op = _StagedStrip()
    seen: list[tuple[str, float, str]] = []
    outcome = run(
        plan([src], op, out=tmp_path / "o"), op, workers=2, on_progress=lambda j, f, s: seen.append((j.src.name, f, s))
    )
    assert outcome.failed == 0
    by_file = {name: [(f, str(s)) for n, f, s in seen if n == name] for name in {n for n, _, _ in seen}}
    assert set(by_file) <= {f"IMG_{i:04d}.jpg" for i in range(3)} and by_file  # stages from the workers
    for stages in by_file.values():  # in order, as a Stage with its numbers (pickled across)
        assert (
            stages
            == [(0.5, "cloaking: face 1 of 1, step 1 of 2"), (1.0, "cloaking: face 1 of 1, step 2 of 2")][: len(stages)]
        )
    assert all(isinstance(s, Stage) and s.key == "step" for _, _, s in seen)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_keeps_finished_files_and_resume_completes(tmp_path, jobs):
    src = tmp_path / "shoot"
    n = 8
    for i in range(n):  # 4 MP each: slow enough to interrupt mid-run
        photo(src / f"IMG_{i:04d}.jpg", size=(2400, 1600), seed=i, quality=80)
    out = tmp_path / "out"
    cmd = [str(PHOTOGUARD), "protect", str(src), "-o", str(out), "--jobs", jobs]
    # A child inherits an ignored SIGINT (background jobs of a non-interactive shell, some test
    # runners), and Python then never raises KeyboardInterrupt: give it the default disposition.
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not (out.exists() and any(p.suffix == ".jpg" for p in out.iterdir())):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "--skip-existing to carry on" in stderr
    kept = [p for p in out.rglob("*") if p.is_file()]
    assert all(p.suffix == ".jpg" and not p.name.startswith(".") for p in kept), kept  # no *.part, no temp
    assert 1 <= len(kept) < n
    for p in kept:  # every kept file is complete
        Image.open(p).load()
    rerun = subprocess.run(cmd + ["--skip-existing"], capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{n - len(kept)} with no face (metadata stripped only), 0 failed, {len(kept)} skipped" in rerun.stdout
    assert len(files(out)) == n


def test_jobs_run_one_file_each(tmp_path):
    """A planned job that the engine runs directly gives exactly one record."""
    good = photo(tmp_path / "a.png", fmt="PNG")
    outcome = run([Job(good, tmp_path / "o" / "a.png")], StripOperation())
    assert [r.status for r in outcome.records] == ["done"] and (tmp_path / "o" / "a.png").exists()


def test_a_resumed_run_keeps_the_earlier_records_in_every_report(tmp_path, capsys):
    src = shoot(tmp_path / "shoot")
    out = tmp_path / "out"
    as_json, as_csv, as_parquet = tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "r.parquet"
    reports = ["--report", str(as_json), "--report", str(as_csv), "--report", str(as_parquet)]
    assert main(["protect", str(src / "day1"), "-o", str(out / "day1"), *reports]) == 0
    first = {Path(r["path"]).name: r for r in json.loads(as_json.read_text())}
    assert first["IMG_0001.jpg"]["status"] == NO_FACE and as_csv.exists()  # both formats from one run
    assert main(["protect", str(src), "-o", str(out), "--skip-existing", *reports]) == 0
    capsys.readouterr()
    again = json.loads(as_json.read_text())
    day1 = next(r for r in again if r["path"] == str(src / "day1" / "IMG_0001.jpg"))
    assert day1 == first["IMG_0001.jpg"]  # not replaced by a "skipped" row
    assert {r["status"] for r in again} == {NO_FACE, "skipped"}  # the sidecar stays skipped: it never had a record
    rows = {r["path"]: r for r in csv.DictReader(as_csv.open())}
    assert rows[str(src / "day1" / "IMG_0001.jpg")]["status"] == NO_FACE
    assert len(rows) == len(again)
    table = pq.read_table(as_parquet).to_pylist()  # one table: nested fields are JSON text
    assert [(r["path"], r["status"]) for r in table] == [(r["path"], r["status"]) for r in again]
    assert json.loads(table[0]["detail"] or "null") == again[0].get("detail")


def test_json_output_lists_failures_too(tmp_path, capsys):
    good = photo(tmp_path / "in" / "good.jpg")
    (tmp_path / "in" / "bad.jpg").write_bytes(b"\xff\xd8\xff")
    assert main(["strip", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--json"]) == 1
    rows = {Path(r["path"]).name: r for r in json.loads(capsys.readouterr().out)}
    assert rows["good.jpg"]["status"] == "done" and "removed" in rows["good.jpg"]
    assert rows["bad.jpg"]["status"] == FAILED and rows["bad.jpg"]["error"]
    assert main(["inspect", str(good), str(tmp_path / "in" / "bad.jpg"), "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in rows] == ["done", FAILED] and rows[1]["path"].endswith("bad.jpg")


def test_finish_fails_unprotected_photos_only_when_asked():
    from photoguard.batch import DONE, Outcome, Record
    from photoguard.cli._batch_view import finish, summary
    from photoguard.errors import NotProtectedError

    records = [
        Record("a.jpg", "o/a.jpg", DONE, verdict=Verdict.PROTECTED, headline="protected"),
        Record("b.jpg", "o/b.jpg", NO_FACE, verdict=Verdict.NO_FACE, headline="no face"),
        Record(
            "c.jpg",
            "o/c.jpg",
            DONE,
            verdict=Verdict.PARTLY,
            headline="partly protected (1 of 2 faces)",
            verification=[{"face": 1, "still_recognised": False}, {"face": 2, "still_recognised": True}],
        ),
    ]
    outcome = Outcome(records, 1.0)
    op = ProtectOperation()
    finish(outcome, op)  # the default: files written, exit 0
    with pytest.raises(NotProtectedError, match="1 photo"):
        finish(outcome, op, fail_unprotected=True)
    finish(Outcome(records[:2], 1.0), op, fail_unprotected=True)  # protected and no face pass
    text = summary(outcome, op)
    assert text.startswith("verdict for 3 photo(s): 1 protected, 1 partly protected, 1 with no face")
    assert "try --strength strong" in text


@dataclasses.dataclass(frozen=True)
class _BatchFails(ProtectOperation):
    """A protect whose batched call fails as a whole (as out of GPU memory would), after ``after``
    photos were done."""

    after: int = 0

    def run_batch(self, jobs, done):
        if self.after == 0:
            raise RuntimeError("CUDA out of memory")
        delivered = []

        def first_only(k, result):
            if len(delivered) == self.after:
                raise RuntimeError("CUDA out of memory")
            delivered.append(k)
            done(k, result)

        super().run_batch(jobs, first_only)

    def __call__(self, job, progress=None):
        ALONE.append(job.src.name)
        return super().__call__(job, progress)


ALONE: list[str] = []  # the photos _BatchFails ran one at a time


@pytest.mark.weights
@pytest.mark.parametrize(
    ("op", "batched_calls", "alone"),
    [
        (ProtectOperation(device="cpu"), [4], 0),  # one batch of 4, the empty file failing inside it
        (_BatchFails(device="cpu"), [], 4),  # the batch fails at once: all 4 run alone
        (_BatchFails(device="cpu", after=1), [4], 3),  # fails after one photo: the other 3 run alone
    ],
    ids=["batched", "fails", "fails-after-one"],
)
def test_batched_photos_get_the_records_and_bytes_of_one_at_a_time(tmp_path, monkeypatch, op, batched_calls, alone):
    import photoguard.pipeline.many

    src = tmp_path / "shoot"
    for i in range(3):
        photo(src / f"IMG_{i:04d}.jpg", seed=i)
    (src / "zero.jpg").write_bytes(b"")
    reference = ProtectOperation(device="cpu")
    one = run(plan([src], reference, out=tmp_path / "one"), reference)
    calls = []
    real = photoguard.pipeline.many.protect_photos

    def spy(images, **options):
        calls.append(len(images))
        return real(images, **options)

    monkeypatch.setattr(photoguard.pipeline.many, "protect_photos", spy)
    ALONE.clear()
    seen = []
    batched = run(plan([src], op, out=tmp_path / "batched"), op, batch=4, on_record=seen.append)
    rows = [(Path(r.path).name, r.status, r.error) for r in batched.records]
    assert rows == [(Path(r.path).name, r.status, r.error) for r in one.records]
    assert [r.status for r in batched.records] == [NO_FACE] * 3 + [FAILED] and len(seen) == 4
    assert {p.name: b for p, b in digest(tmp_path / "batched").items()} == {
        p.name: b for p, b in digest(tmp_path / "one").items()
    }
    assert calls == batched_calls
    assert len(ALONE) == alone and len(set(ALONE)) == alone  # each unfinished photo runs again once


@pytest.mark.weights
def test_batched_in_place_replaces_every_photo_and_leaves_no_temp_file(tmp_path):
    folder = tmp_path / "shoot"
    exif = Image.Exif()
    exif[0x013B] = "Jane Photographer"  # Artist
    for i in range(2):
        photo(folder / f"IMG_{i:04d}.jpg", seed=i, exif=exif)
    op = ProtectOperation(device="cpu")
    outcome = run(plan([folder], op, in_place=True), op, batch=2)
    assert [r.status for r in outcome.records] == [NO_FACE, NO_FACE]
    assert sorted(p.name for p in folder.iterdir()) == ["IMG_0000.jpg", "IMG_0001.jpg"]
    assert all(b"Jane Photographer" not in p.read_bytes() for p in folder.iterdir())


def test_batch_below_one_is_a_usage_error(tmp_path):
    op = StripOperation()
    with pytest.raises(UsageError, match="batch must be at least 1"):
        run(plan([photo(tmp_path / "a.jpg")], op, out=tmp_path / "o"), op, batch=0)


def test_a_protect_operation_takes_its_strength_first_as_before():
    assert ProtectOperation("fast").options == ProtectOperation(strength="fast").options
    assert ProtectOperation("fast").options.strength == "fast"
    with pytest.raises(TypeError):
        ProtectOperation("fast", strength="strong")
