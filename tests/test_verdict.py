"""The verdict that leads every result: per face from the held-out check, per photo from its faces;
the result's repr and measured visibility."""

from __future__ import annotations

import numpy as np
import pytest

from photoguard.types import FaceReport, FaceStatus, ProtectResult, Verdict, Visibility, photo_verdict


def face(sim: float | None = 0.1, *, protected: bool = True, found_again: bool | None = True) -> FaceReport:
    checked = sim is not None or found_again is False
    return FaceReport(
        index=0,
        box=(0.0, 0.0, 80.0, 80.0),
        score=0.9,
        protected=protected,
        reason=None if protected else "too small to protect: 20 px (minimum 40 px)",
        verification_encoder="faceplugin" if checked else None,
        verification_similarity=sim,
        verification_threshold=0.43 if checked else None,
        found_again=found_again if checked else None,
    )


@pytest.mark.parametrize(
    "report, status",
    [
        (face(0.10), FaceStatus.PROTECTED),
        (face(0.43), FaceStatus.RECOGNISED),  # on the threshold (which already holds the safety margin): not safe
        (face(0.80), FaceStatus.RECOGNISED),
        (face(None, found_again=False), FaceStatus.NOT_FOUND),
        (face(None, found_again=None), FaceStatus.NOT_CHECKED),
        (face(None, protected=False, found_again=None), FaceStatus.NOT_CLOAKED),
    ],
)
def test_face_status(report: FaceReport, status: FaceStatus) -> None:
    assert report.status is status


@pytest.mark.parametrize(
    "faces, verdict",
    [
        ([], Verdict.NO_FACE),
        ([face(0.1), face(0.2)], Verdict.PROTECTED),
        ([face(0.1), face(0.6)], Verdict.PARTLY),
        ([face(0.1), face(None, protected=False, found_again=None)], Verdict.PARTLY),  # a face left as it was
        ([face(0.6), face(0.7)], Verdict.NOT_PROTECTED),
        ([face(None, protected=False, found_again=None)], Verdict.TOO_SMALL),  # its own case: strong changes nothing
        ([face(None, protected=False, found_again=None)] * 2, Verdict.TOO_SMALL),
        ([face(0.6), face(None, protected=False, found_again=None)], Verdict.NOT_PROTECTED),
        ([face(None, found_again=None)], Verdict.NOT_CHECKED),
        ([face(None, found_again=False), face(None, found_again=None)], Verdict.NOT_CHECKED),
        ([face(None, found_again=False), face(0.7)], Verdict.NOT_PROTECTED),
        ([face(None, found_again=False), face(0.1)], Verdict.PARTLY),  # a face not found again is not called safe
    ],
)
def test_photo_verdict(faces: list[FaceReport], verdict: Verdict) -> None:
    assert photo_verdict(faces) is verdict


def result(faces: list[FaceReport], strength: str = "medium") -> ProtectResult:
    return ProtectResult(image=np.zeros((2, 2, 3), np.uint8), faces=faces, timings={}, psnr=40.0, strength=strength)


def test_headline_counts_faces_and_points_to_strong() -> None:
    assert result([face(0.1)]).headline == "protected"
    assert result([face(0.1), face(0.6), face(0.7)]).headline == "partly protected (1 of 3 faces)"
    assert result([face(0.6)]).headline == "not protected (try strong)"
    assert result([face(0.6)], strength="strong").headline == "not protected"
    assert result([]).headline == "no face"
    assert result([face(0.1), face(0.6)]).faces_safe == 1


def test_a_face_too_small_is_never_told_to_try_strong() -> None:
    small = face(None, protected=False, found_again=None)
    for strength in ("fast", "medium", "strong"):
        assert result([small], strength).headline == "too small to cloak"
    assert result([small]).verdict is Verdict.TOO_SMALL and str(Verdict.TOO_SMALL) == "too small"


def test_repr_names_the_size_not_the_pixels() -> None:
    r = ProtectResult(image=np.zeros((480, 640, 3), np.uint8), faces=[face(0.1)], timings={}, psnr=40.0)
    text = repr(r)
    assert text.startswith("ProtectResult(image=<480x640x3 uint8 pixels>, faces=[FaceReport(index=0")
    assert "psnr=40.0" in text and "array(" not in text and len(text) < 1000


def test_the_photo_s_visibility_is_its_most_visible_measured_face() -> None:
    def jod(value: float | None, *, protected: bool = True) -> FaceReport:
        f = face(0.1, protected=protected)
        f.visibility_jod = value
        return f

    assert result([jod(None)]).visibility is Visibility.NOT_MEASURED  # nothing measured: nothing to say
    assert result([jod(9.7), jod(None)]).visibility is Visibility.HARD_TO_SEE
    assert result([jod(9.7), jod(9.1)]).visibility is Visibility.CLOSE_LOOK
    assert result([jod(9.7), jod(8.2)]).visibility is Visibility.VISIBLE
    assert result([jod(9.7), jod(3.0, protected=False)]).visibility is Visibility.HARD_TO_SEE  # a face left alone
