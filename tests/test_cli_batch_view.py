"""What a batch run shows: the file named with its folder in the progress line when two files
share a name, a steady ETA, and a summary that tells faces too small to cloak from photos with
no face, says what the verdict does not cover, and points to --strength strong only where a
stronger cloak can help."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from photoguard.batch import DONE, FAILED, NO_FACE, Job, Outcome, ProtectOperation, Record, StripOperation
from photoguard.cli._batch_view import BatchView, eta_words, failed_line, progress_labels, summary
from photoguard.coverage import not_covered
from photoguard.types import Verdict


def test_labels_name_the_folder_only_where_names_repeat():
    paths = [Path("shoot/day1/IMG_0002.jpg"), Path("shoot/day2/IMG_0002.jpg"), Path("shoot/day2/IMG_0003.jpg")]
    assert list(progress_labels(paths).values()) == ["day1/IMG_0002.jpg", "day2/IMG_0002.jpg", "IMG_0003.jpg"]
    deep = [Path("a/x/s/IMG.jpg"), Path("b/x/s/IMG.jpg")]
    assert list(progress_labels(deep).values()) == ["a/x/s/IMG.jpg", "b/x/s/IMG.jpg"]
    assert progress_labels([Path("IMG.jpg"), Path("d/IMG.jpg")]) == {"IMG.jpg": "IMG.jpg", "d/IMG.jpg": "d/IMG.jpg"}


class _Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_progress_line_shows_the_folder_and_a_steady_eta(monkeypatch, capsys):
    """On a terminal: two IMG_0002.jpg are told apart, and the ETA comes from the finished photos."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "200")
    jobs = [Job(Path(f"shoot/day{d}/IMG_0002.jpg"), Path(f"out/day{d}/IMG_0002.jpg")) for d in (1, 2)]
    jobs.append(Job(Path("shoot/day2/IMG_0003.jpg"), Path("out/day2/IMG_0003.jpg")))
    clock = _Clock()
    labels = progress_labels([j.src for j in jobs])
    with BatchView(ProtectOperation(), len(jobs), labels=labels, lines=False, clock=clock) as view:
        assert view.label(jobs[0]) == "day1/IMG_0002.jpg" and view.label(jobs[2]) == "IMG_0003.jpg"
        view.start(jobs[0])
        clock.now = 30.0
        view.record(Record(str(jobs[0].src), str(jobs[0].dst), DONE))
        clock.now = 40.0
        view.progress(jobs[1], 0.5, "cloaking: face 1 of 1, step 9 of 18")
        assert eta_words(view.eta.remaining()) == "0:50"  # 30 s a photo, two left, 10 s into the next
    err = capsys.readouterr().err
    assert "day2/IMG_0002.jpg: cloaking: face 1 of 1, step 9 of 18" in err and "ETA 0:50" in err


def test_eta_words():
    assert eta_words(None) == "-:--" and eta_words(98.4) == "1:38" and eta_words(3725) == "1:02:05"


def _record(path: str, verdict: Verdict, *, still: bool = False, small: bool = False) -> Record:
    faces = [{"face": 1, "status": "not cloaked" if small else "protected", "still_recognised": still or None}]
    status = NO_FACE if verdict in (Verdict.NO_FACE, Verdict.TOO_SMALL) else DONE
    return Record(path, f"out/{path}", status, verdict=verdict, headline=str(verdict), verification=faces)


def test_faces_too_small_are_their_own_count_and_get_no_advice_to_try_strong():
    outcome = Outcome([_record("a.jpg", Verdict.TOO_SMALL, small=True), _record("b.jpg", Verdict.NO_FACE)], 2.0)
    text = summary(outcome, ProtectOperation())
    assert text.startswith("verdict for 2 photo(s): 1 with faces too small to cloak, 1 with no face\n")
    assert (
        "faces under 40 px are left as they are (too small to cloak; a stronger setting does not change that)" in text
    )
    assert "0 file(s) cloaked, 1 with no face (metadata stripped only), 1 with faces too small to cloak" in text
    assert "try --strength strong" not in text and "not covered" not in text  # nothing was called protected


def test_what_the_verdict_does_not_cover_follows_a_protected_photo():
    outcome = Outcome([_record("a.jpg", Verdict.PROTECTED), _record("b.jpg", Verdict.NOT_CHECKED)], 2.0)
    lines = summary(outcome, ProtectOperation()).splitlines()
    assert lines[1] == not_covered()
    assert "other photos of the person already public" in lines[1] and "67-94 % of 18 people" in lines[1]
    assert not any("strong" in line for line in lines)  # "not checked" is not helped by a stronger cloak


@pytest.mark.parametrize("verdict", [Verdict.NOT_PROTECTED, Verdict.PARTLY])
def test_strong_is_suggested_where_a_face_is_still_recognised(verdict):
    text = summary(Outcome([_record("a.jpg", verdict, still=True)], 1.0), ProtectOperation())
    assert "photos with a face still recognised: try --strength strong for them" in text


def test_the_failed_line_counts_what_was_written_in_plain_words():
    def outcome(ok: int, failed: int) -> Outcome:
        records = [Record(f"{k}.jpg", f"out/{k}.jpg", DONE) for k in range(ok)]
        return Outcome(
            records + [Record(f"bad{k}.jpg", None, FAILED, message="no such file") for k in range(failed)], 1.0
        )

    assert failed_line(outcome(3, 2), ProtectOperation()) == "2 of 5 file(s) failed; the other 3 were written"
    assert failed_line(outcome(1, 1), ProtectOperation()) == "1 of 2 file(s) failed; the other one was written"
    assert failed_line(outcome(1, 1), StripOperation()) == "1 of 2 file(s) failed; the other one was stripped"
    assert failed_line(outcome(0, 1), ProtectOperation()) == "1 of 1 file(s) failed; nothing was written"
