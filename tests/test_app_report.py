"""The app's plain-language report: findings in plain words, verification verdicts, whole reports."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from photoguard.app.report import (
    error_report,
    metadata_only_report,
    plain_finding,
    protect_report,
    verification_line,
)
from photoguard.types import FaceReport, ProtectResult


def _face(index: int = 0, *, protected: bool = True, sim: float | None = 0.08, reason: str | None = None,
          found_again: bool | None = None) -> FaceReport:
    return FaceReport(index=index, box=(10.0, 10.0, 90.0, 90.0), score=0.9, protected=protected, reason=reason,
                      verification_encoder="facenet" if sim is not None else None, verification_similarity=sim,
                      verification_threshold=0.30 if sim is not None else None, found_again=found_again)


def _result(faces: list[FaceReport], psnr: float = 44.2, face_psnr: float | None = 36.1, strength: str = "medium") -> ProtectResult:
    return ProtectResult(image=np.zeros((4, 4, 3), np.uint8), faces=faces, timings={}, psnr=psnr, face_psnr=face_psnr,
                         output_path=Path("/tmp/job/0/out/selfie.jpg"), strength=strength)


def test_findings_in_plain_words():
    assert plain_finding("location 37.498 N, 127.028 E") == "GPS location: 37.498 N, 127.028 E (where the photo was taken)"
    assert plain_finding("device serial R5CX…") == "Phone or camera serial number: R5CX…"
    assert plain_finding("device maker samsung") == "Phone or camera maker: samsung"
    assert plain_finding("device SM-S918B") == "Phone or camera model: SM-S918B"
    assert plain_finding("embedded thumbnail (5.1 kB)") == "Embedded thumbnail, a small hidden copy of the picture (5.1 kB)"
    assert plain_finding("date 2024:05:01 10:22:03") == "Date and time: 2024:05:01 10:22:03"
    assert plain_finding("owner name: Jane Doe") == "Owner name: Jane Doe"


def test_verification_verdicts_quote_the_numbers():
    line = verification_line(_face(sim=0.08))
    assert line is not None and line.startswith("✅")
    assert "now sees a different person: similarity 0.08, was 1.00; the same person from 0.30" in line
    assert "FaceNet" in line
    still = verification_line(_face(sim=0.61))
    assert still is not None and "still sees the same person" in still and "strong" in still
    assert verification_line(_face(sim=None)) is None
    lost = verification_line(_face(sim=None, found_again=False))
    assert lost is not None and lost.startswith("⚠️ Not checked") and "✅" not in lost


def test_a_score_on_the_threshold_is_not_safe():
    line = verification_line(_face(sim=0.30))
    assert line is not None and line.startswith("⚠️") and "still sees the same person" in line


def test_protect_report_covers_faces_quality_metadata_and_download():
    findings = ["location 37.498 N, 127.028 E", "device serial R5CX…", "embedded thumbnail (5.1 kB)"]
    md = protect_report("selfie.jpg", _result([_face()]), findings, strength="fast")
    assert md.startswith("### ✅ protected: selfie.jpg (fast)")
    assert "1 found, 1 cloaked, 1 checked protected" in md
    assert "similarity 0.08" in md
    assert "PSNR 44.2 dB for the whole photo, 36.1 dB around the face" in md
    assert "  - GPS location: 37.498 N, 127.028 E" in md and "serial number" in md and "thumbnail" in md
    assert "**Download:** `selfie.jpg`, exactly the file photoguard wrote" in md


def test_protect_report_without_faces_or_metadata():
    md = protect_report("cat.png", _result([], psnr=float("inf"), face_psnr=None), [], strength="medium")
    assert md.startswith("### ℹ️ no face: cat.png") and "no face found" in md and "pixels are untouched" in md
    assert "none found" in md and "PSNR" not in md
    small = _face(protected=False, sim=None, reason="too small to protect: 24 px (minimum 40 px)")
    unwritten = _result([small])
    unwritten.output_path = None
    md = protect_report("crowd.jpg", unwritten, [], strength="fast", inspected=False)
    assert md.startswith("### ⚠️ not protected (try strong): crowd.jpg") and "too small to protect: 24 px" in md
    assert "could not be read" in md and "Download" not in md


def test_several_faces_are_numbered():
    md = protect_report("group.jpg", _result([_face(0), _face(1, sim=0.7)], strength="strong"), [], strength="strong")
    assert md.startswith("### ⚠️ partly protected (1 of 2 faces): group.jpg (strong)")
    assert "2 found, 2 cloaked, 1 checked protected" in md
    assert "Face 1: ✅" in md and "Face 2: ⚠️" in md
    nobody = protect_report("pair.jpg", _result([_face(0, sim=0.5), _face(1, sim=0.7)], strength="strong"), [], strength="strong")
    assert nobody.startswith("### ⚠️ not protected: pair.jpg") and "✅" not in nobody


def test_metadata_only_and_error_reports():
    md = metadata_only_report("IMG_1.heic", ["location 1.000 N, 2.000 E"], pixels="bit-identical",
                              out_name="IMG_1.heic")
    assert "metadata only" in md and "bit for bit" in md and "GPS location: 1.000 N, 2.000 E" in md
    assert "**Download:** `IMG_1.heic`" in md
    err = error_report("notes.txt", "This is not a photo photoguard can read.")
    assert "notes.txt: not processed" in err and "not a photo" in err


def test_gps_data_is_not_repeated_next_to_the_location():
    md = protect_report("a.jpg", _result([_face()]), ["GPS data", "location 37.498 N, 127.028 E"], strength="fast")
    assert "GPS location: 37.498 N" in md and "GPS data" not in md
    md = protect_report("b.jpg", _result([_face()]), ["GPS data"], strength="fast")
    assert "GPS data (where the photo was taken)" in md
