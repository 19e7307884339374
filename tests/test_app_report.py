"""The app's plain-language report, in English and Korean: findings in plain words, verification
verdicts, headlines (the English is the library's headline), visibility worded only from a
measurement, PSNR as a number only, whole reports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from photoguard.app.report import (
    FINDING_KEYS,
    error_report,
    headline,
    metadata_only_report,
    plain_finding,
    plain_reason,
    protect_report,
    verification_line,
    why,
)
from photoguard.app.strings import TABLES
from photoguard.metadata.findings import Finding, FindingKind, finding_for, location_finding
from photoguard.types import FaceReason, FaceReport, ProtectResult, Verdict


def _face(
    index: int = 0,
    *,
    protected: bool = True,
    sim: float | None = 0.08,
    reason: str | None = None,
    found_again: bool | None = None,
) -> FaceReport:
    return FaceReport(
        index=index,
        box=(10.0, 10.0, 90.0, 90.0),
        score=0.9,
        protected=protected,
        reason=reason,
        verification_encoder="facenet" if sim is not None else None,
        verification_similarity=sim,
        verification_threshold=0.30 if sim is not None else None,
        found_again=found_again,
    )


def _result(
    faces: list[FaceReport], psnr: float = 44.2, face_psnr: float | None = 36.1, strength: str = "medium"
) -> ProtectResult:
    return ProtectResult(
        image=np.zeros((4, 4, 3), np.uint8),
        faces=faces,
        timings={},
        psnr=psnr,
        face_psnr=face_psnr,
        output_path=Path("/tmp/job/0/out/selfie.jpg"),
        strength=strength,
    )


_SMALL = FaceReason(
    "too small", px=24, min=40
)  # as the library words it: "too small to protect: 24 px (minimum 40 px)"
#: One result per verdict (and both wordings of "not protected").
CASES = {
    "protected": _result([_face()]),
    "partly": _result([_face(0), _face(1, sim=0.7)], strength="strong"),
    "not protected": _result([_face(sim=0.6)], strength="strong"),
    "try strong": _result([_face(sim=0.6)], strength="fast"),
    "too small": _result([_face(protected=False, sim=None, reason=_SMALL)]),
    "not checked": _result([_face(sim=None, found_again=False)]),
    "no face": _result([], psnr=float("inf"), face_psnr=None),
}


#: Findings as the metadata handlers build them.
LOCATION = Finding(FindingKind.LOCATION, "37.498 N, 127.028 E")
SERIAL = Finding(FindingKind.SERIAL, "R5CX…")
THUMBNAIL = Finding(FindingKind.THUMBNAIL, "5.1 kB")
GPS = Finding(FindingKind.GPS)


def test_findings_in_plain_words():
    assert plain_finding(LOCATION) == "GPS location: 37.498 N, 127.028 E (where the photo was taken)"
    assert plain_finding(SERIAL) == "Phone or camera serial number: R5CX…"
    assert plain_finding(finding_for("Make", "samsung")) == "Phone or camera maker: samsung"
    assert plain_finding(finding_for("Model", "SM-S918B")) == "Phone or camera model: SM-S918B"
    assert (
        plain_finding(THUMBNAIL)
        == "Embedded thumbnail, a small hidden copy of the picture (5.1 kB; may show the uncropped original)"
    )
    assert plain_finding(finding_for("DateTimeOriginal", "2024:05:01 10:22:03")) == "Date and time: 2024:05:01 10:22:03"
    assert plain_finding(finding_for("OwnerName", "Jane Doe")) == "Owner name: Jane Doe"
    assert plain_finding(finding_for("Credit", "Jane")) == "Credit: Jane"  # no message of its own: capitalised
    assert plain_finding(Finding(FindingKind.TEXT_CHUNK, "hi", "Comment")) == "Text (Comment): hi"


def test_a_plain_string_is_shown_as_it_is():
    """A finding read back from a JSON report has no kind: no guessing from its words."""
    assert plain_finding("location 37.498 N, 127.028 E") == "Location 37.498 N, 127.028 E"
    assert plain_finding("location 37.498 N, 127.028 E", "ko") == "Location 37.498 N, 127.028 E"


def test_findings_in_korean_keep_the_values():
    assert plain_finding(LOCATION, "ko") == "촬영 위치: 37.498 N, 127.028 E (사진을 찍은 곳)"
    assert plain_finding(SERIAL, "ko") == "휴대폰·카메라 일련번호: R5CX…"
    assert plain_finding(finding_for("Model", "SM-S918B"), "ko") == "휴대폰·카메라 모델: SM-S918B"
    assert plain_finding(THUMBNAIL, "ko") == "사진 안에 숨은 작은 미리보기 사본 (5.1 kB; 자르기 전 원본이 보일 수 있음)"
    assert plain_finding(GPS, "ko") == "촬영 위치 정보 (사진을 찍은 곳)"


def test_every_kind_is_mapped_to_a_message_in_both_languages():
    assert set(FINDING_KEYS) == set(FindingKind)
    for kind, key in FINDING_KEYS.items():
        found = Finding(kind, "VALUE", "WHERE")
        for lang in ("en", "ko"):
            words = plain_finding(found, lang)
            assert words and "{" not in words, (kind, lang)
            if "VALUE" in found:  # the value the library found is kept in every language
                assert "VALUE" in words, (kind, lang)
            if key is None:
                assert words == found[:1].upper() + found[1:], kind
            else:
                assert key in TABLES[lang], (kind, key)


@pytest.mark.parametrize(
    "kind, words",
    [
        (FindingKind.LOCATION, "GPS location: V (where the photo was taken)"),
        (FindingKind.LOCATION_UNREADABLE, "GPS data (where the photo was taken)"),
        (FindingKind.GPS, "GPS data (where the photo was taken)"),
        (FindingKind.SERIAL, "Phone or camera serial number: V"),
        (FindingKind.MAKER, "Phone or camera maker: V"),
        (FindingKind.DEVICE, "Phone or camera model: V"),
        (FindingKind.LENS_MAKER, "Lens maker: V"),
        (FindingKind.LENS, "Lens: V"),
        (FindingKind.DATE, "Date and time: V"),
        (FindingKind.PLACE, "Place name: V"),
        (FindingKind.ID, "Unique photo ID: V"),
        (FindingKind.SOFTWARE, "Editing software: V"),
        (FindingKind.COMPUTER, "Computer name: V"),
        (FindingKind.OWNER, "Owner name: V"),
        (FindingKind.AUTHOR, "Author: V"),
        (FindingKind.BY_LINE, "Author: V"),
        (FindingKind.COPYRIGHT, "Copyright: V"),
        (FindingKind.ALTITUDE, "GPS altitude: V m"),
        (FindingKind.MOTION_MARKER, "Motion-photo marker"),
    ],
)
def test_each_kind_gets_its_own_message(kind, words):
    assert plain_finding(Finding(kind, "V")) == words


@pytest.mark.parametrize("case", list(CASES))
def test_english_headline_is_the_librarys(case):
    result = CASES[case]
    assert headline(result, "en") == result.headline


@pytest.mark.parametrize(
    "case, words",
    [
        ("protected", "보호됨"),
        ("partly", "일부만 보호됨 (얼굴 2개 중 1개)"),
        ("not protected", "보호되지 않음"),
        ("try strong", "보호되지 않음 (‘강하게’로 다시 해 보세요)"),
        ("not checked", "확인하지 못함"),
        ("too small", "얼굴이 너무 작아 보호하지 못함"),
        ("no face", "얼굴 없음"),
    ],
)
def test_korean_headlines(case, words):
    assert headline(CASES[case], "ko") == words


def test_the_sentence_under_the_verdict_says_what_to_do():
    assert why(CASES["protected"], "en").startswith("A face-recognition model the cloak was not tuned against now sees")
    assert (
        why(CASES["try strong"], "ko")
        == "얼굴 인식 모델이 아직 같은 사람으로 알아봅니다 — **‘강하게’**를 선택해 보세요."
    )
    assert "Strong" in why(CASES["try strong"], "en") and "still recognises" in why(CASES["try strong"], "en")
    assert "not to post" in why(CASES["not protected"], "en")  # already at strong: no "try strong"
    assert why(CASES["too small"], "en").startswith("The face is 24 px across, and faces under 40 px are not cloaked")
    assert "24픽셀" in why(CASES["too small"], "ko") and "강도를 높여도 마찬가지입니다" in why(CASES["too small"], "ko")
    assert "strong" not in why(CASES["too small"], "en").lower()
    assert "Do not count on it" in why(CASES["not checked"], "en")
    assert why(CASES["partly"], "ko") == "얼굴 2개 중 1개만 보호됐습니다. 아래 자세한 결과를 확인하세요."


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
    ko = verification_line(_face(sim=0.61), "ko")
    assert ko is not None and ko.startswith("⚠️ 얼굴 인식 모델이 아직 같은 사람으로 알아봅니다") and "유사도 0.61" in ko
    assert "0.30 이상이면 같은 사람" in ko and "FaceNet" not in ko  # no English name on the Korean page


def test_a_score_on_the_threshold_is_not_safe():
    line = verification_line(_face(sim=0.30))
    assert line is not None and line.startswith("⚠️") and "still sees the same person" in line


def test_protect_report_covers_faces_quality_metadata_and_download():
    findings = [LOCATION, SERIAL, THUMBNAIL]
    md = protect_report("selfie.jpg", _result([_face()]), findings, strength="fast")
    assert md.startswith("### ✅ protected: selfie.jpg (fast)")
    assert "1 found, 1 cloaked, 1 checked protected" in md
    assert "similarity 0.08" in md
    assert "PSNR 44.2 dB for the whole photo, 36.1 dB around the face" in md
    assert "does not say what a person sees" in md and "hard to see" not in md and "How visible" not in md
    assert "  - GPS location: 37.498 N, 127.028 E" in md and "serial number" in md and "thumbnail" in md
    assert "**Download:** `selfie.jpg`, exactly the file photoguard wrote" in md


def test_protect_report_in_korean():
    md = protect_report("셀카.jpg", _result([_face()]), [LOCATION], strength="medium", lang="ko")
    assert md.startswith("### ✅ 보호됨: 셀카.jpg (보통)")
    assert "**얼굴:** 1개 찾음, 1개에 보호막을 입힘, 1개 보호 확인." in md
    assert "**픽셀 차이:** 사진 전체 44.2데시벨, 얼굴 주변 36.1데시벨" in md and "알아보기 어렵" not in md
    assert "  - 촬영 위치: 37.498 N, 127.028 E (사진을 찍은 곳)" in md
    assert "**받기:** `selfie.jpg`" in md


def test_protect_report_without_faces_or_metadata():
    md = protect_report("cat.png", CASES["no face"], [], strength="medium")
    assert md.startswith("### ℹ️ no face: cat.png") and "no face found" in md and "pixels are untouched" in md
    assert "none found" in md and "PSNR" not in md
    unwritten = _result([_face(protected=False, sim=None, reason=_SMALL)])
    unwritten.output_path = None
    md = protect_report("crowd.jpg", unwritten, [], strength="fast", inspected=False)
    assert (
        md.startswith("### ⚠️ too small to cloak: crowd.jpg")
        and "not protected (too small to cloak: 24 px (minimum 40 px))" in md
    )
    assert "could not be read" in md and "Download" not in md
    ko = protect_report("crowd.jpg", unwritten, [], strength="fast", inspected=False, lang="ko")
    assert "얼굴이 너무 작습니다: 24픽셀 (최소 40픽셀)" in ko


@pytest.mark.parametrize(
    "jod, en, ko",
    [
        (9.72, "**How visible:** hard to see (9.7 of 10", "**눈에 띄는 정도:** 알아보기 어려움 (10점 중 9.7점"),
        (9.2, "**How visible:** visible on close inspection (9.2 of 10", "자세히 보면 보임 (10점 중 9.2점"),
        (8.0, "**How visible:** visible (8.0 of 10", "**눈에 띄는 정도:** 눈에 보임 (10점 중 8.0점"),
    ],
)
def test_a_measured_visibility_is_worded(jod, en, ko):
    face = _face()
    face.visibility_jod = jod
    result = _result([face])
    assert en in protect_report("a.jpg", result, [], strength="medium")
    assert ko in protect_report("a.jpg", result, [], strength="medium", lang="ko")


def test_library_reasons_are_reworded():
    assert plain_reason(FaceReason("too small", px=24, min=40), "ko") == "얼굴이 너무 작습니다: 24픽셀 (최소 40픽셀)"
    assert plain_reason(None, "en") == "unknown reason"
    assert plain_reason("something new", "ko") == "something new"  # unknown: shown as the library said it


def test_several_faces_are_numbered():
    md = protect_report("group.jpg", CASES["partly"], [], strength="strong")
    assert md.startswith("### ⚠️ partly protected (1 of 2 faces): group.jpg (strong)")
    assert "2 found, 2 cloaked, 1 checked protected" in md
    assert "Face 1: ✅" in md and "Face 2: ⚠️" in md and "even at the strongest setting" in md
    nobody = protect_report(
        "pair.jpg", _result([_face(0, sim=0.5), _face(1, sim=0.7)], strength="strong"), [], strength="strong"
    )
    assert nobody.startswith("### ⚠️ not protected: pair.jpg") and "✅" not in nobody


def test_metadata_only_and_error_reports():
    md = metadata_only_report("IMG_1.heic", [location_finding(1.0, 2.0)], pixels="bit-identical", out_name="IMG_1.heic")
    assert md.startswith("### ℹ️ hidden data removed (metadata only): IMG_1.heic")
    assert "bit for bit" in md and "GPS location: 1.000 N, 2.000 E" in md and "**Download:** `IMG_1.heic`" in md
    err = error_report("notes.txt", "This is not a photo photoguard can read.")
    assert err.startswith("### ❌ not processed: notes.txt") and "not a photo" in err
    assert error_report("notes.txt", "…", "ko").startswith("### ❌ 처리하지 못함: notes.txt")


def test_gps_data_is_not_repeated_next_to_the_location():
    md = protect_report("a.jpg", _result([_face()]), [GPS, LOCATION], strength="fast")
    assert "GPS location: 37.498 N" in md and "GPS data" not in md
    md = protect_report("b.jpg", _result([_face()]), [GPS], strength="fast")
    assert "GPS data (where the photo was taken)" in md


def test_every_verdict_has_a_mark_and_a_sentence():
    for result in CASES.values():
        for lang in ("en", "ko"):
            assert why(result, lang) and headline(result, lang)
    assert {r.verdict for r in CASES.values()} == set(Verdict)
