"""The results' HTML: the verdict first with what it does not cover, "protected" only where the check
said so, visibility words only from a measurement, one view per face centred on it with the
original and the protected photo in the same place, unique names, no injection through file names."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from photoguard.app import views
from photoguard.app.previews import FaceCrops
from photoguard.app.processing import Failure, Outcome
from photoguard.types import FaceReason, FaceReport, ProtectResult


def _result(
    sims: list[float | None], strength: str = "medium", jods: list[float | None] | None = None
) -> ProtectResult:
    faces = [
        FaceReport(
            index=i,
            box=(0.0, 0.0, 50.0, 50.0),
            score=0.9,
            protected=s is not None,
            reason=None if s is not None else FaceReason("too small", px=31, min=40),
            verification_encoder="facenet" if s is not None else None,
            verification_similarity=s,
            verification_threshold=0.3 if s is not None else None,
            found_again=True if s is not None else None,
            visibility_jod=(jods or [None] * len(sims))[i],
        )
        for i, s in enumerate(sims)
    ]
    return ProtectResult(
        image=np.zeros((0, 0, 3), np.uint8), faces=faces, timings={}, psnr=45.0, face_psnr=38.0, strength=strength
    )


def _outcome(
    name: str = "selfie.jpg",
    sims: tuple[float | None, ...] = (0.1,),
    strength: str = "medium",
    jods: list[float | None] | None = None,
) -> Outcome:
    crops = [
        FaceCrops(
            i,
            f"/w/face{i + 1}_original.png",
            f"/w/face{i + 1}_protected.png",
            f"/w/face{i + 1}_difference.png",
            (120, 140),
            (50.0, 64.0),
        )
        for i, s in enumerate(sims)
        if s is not None
    ]
    return Outcome(name, strength, _result(list(sims), strength, jods), output=Path(f"/w/out/{name}"), faces=crops)


class _Tags(HTMLParser):
    def __init__(self, markup: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _text(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def test_the_verdict_is_the_heading_of_each_card():
    markup = views.verdicts([_outcome(), _outcome("b.jpg", (0.9,), "fast")], "en")
    headings = re.findall(r'<h2 class="pg-headline"[^>]*>(.*?)</h2>', markup)
    assert [_text(h) for h in headings] == ["✓ Protected", "! Not protected (try strong)"]
    assert 'class="pg-card pg-ok"' in markup and 'class="pg-card pg-warn"' in markup
    assert 'aria-hidden="true">✓' in markup  # the mark repeats the words, screen readers skip it
    assert "still recognises the same person" in markup and "<strong>Strong</strong>" in markup
    ko = views.verdicts([_outcome()], "ko")
    assert "보호됨" in ko and "selfie.jpg · 보통" in ko


@pytest.mark.parametrize(
    "lang, words",
    [
        ("en", "It does not cover every other face-recognition model, other photos of you that are already public"),
        ("ko", "다른 얼굴 인식 모델, 이미 공개된 내 다른 사진"),
    ],
)
def test_a_protected_card_says_what_it_does_not_cover(lang, words):
    card = views.verdicts([_outcome()], lang)
    coverage = re.search(r'<p class="pg-coverage">(.*?)</p>', card)
    assert coverage and words in coverage.group(1)
    # The verdict stays first; the figures are behind "how sure is this?", closed.
    assert card.index("pg-headline") < card.index("pg-why") < card.index("pg-coverage") < card.index("<details")
    sure = re.search(r'<details class="pg-sure"><summary>(.*?)</summary><p>(.*?)</p></details>', card)
    assert sure is not None
    figures = sure.group(2)
    if lang == "en":
        assert sure.group(1) == "How sure is this?" and "67–78 %, 72–78 % and 89–94 %" in figures
        assert "In 1 to 5 of the 18 photos this check said “protected”" in figures
    else:
        assert (
            sure.group(1) == "얼마나 확실한가요?" and "67–78%, 72–78%, 89–94%" in figures and "18장 중 1–5장" in figures
        )


def test_no_coverage_sentence_where_nothing_is_called_protected():
    for outcome in (_outcome(sims=(0.9,)), _outcome(sims=(None,)), Outcome("m.jpg", None)):
        assert "pg-coverage" not in views.verdicts([outcome], "en")
    assert "pg-coverage" in views.verdicts([_outcome(sims=(0.1, 0.9))], "en")  # partly: some face is


def test_a_face_too_small_gets_its_own_words_never_strong():
    card = views.verdicts([_outcome(sims=(None,))], "en")
    assert _text(re.search(r"<h2.*?</h2>", card).group(0)) == "! Too small to cloak"
    assert "31 px across, and faces under 40 px are not cloaked at any strength" in card
    assert "strong" not in card.lower()
    ko = views.verdicts([_outcome(sims=(None,))], "ko")
    assert "얼굴이 너무 작아 보호하지 못함" in ko and "31픽셀" in ko and "강하게" not in ko


def test_visibility_is_worded_only_where_it_was_measured():
    assert "pg-visibility" not in views.verdicts([_outcome()], "en")  # not measured: nothing said
    assert "hard to see" not in views.verdicts([_outcome()], "en").lower()
    for jod, en, ko in (
        (9.7, "The cloak is hard to see", "보호막은 알아보기 어렵습니다"),
        (9.2, "The cloak is visible on close inspection", "보호막은 자세히 보면 보입니다"),
        (8.4, "The cloak is visible: at 100 % a person can see", "보호막이 눈에 보입니다"),
    ):
        assert en in views.verdicts([_outcome(jods=[jod])], "en")
        assert ko in views.verdicts([_outcome(jods=[jod])], "ko")
    # The most visible face decides.
    assert "visible on close inspection" in views.verdicts([_outcome(sims=(0.1, 0.1), jods=[9.8, 9.1])], "en")


def test_errors_and_metadata_only_get_their_own_cards():
    markup = views.verdicts(
        [Outcome("x.txt", "fast", failure=Failure("error.unsupported")), Outcome("m.jpg", None)], "ko"
    )
    assert "pg-error" in markup and "처리하지 못함" in markup and "JPEG, PNG, 아이폰 사진" in markup
    assert "숨은 정보만 삭제함" in markup


def test_several_photos_each_get_a_download_link():
    one = views.verdicts([_outcome()], "en")
    assert "pg-card-download" not in one  # one photo: the big button is the download
    two = views.verdicts([_outcome("a.jpg"), _outcome("b.jpg")], "ko")
    links = [a for t, a in _Tags(two).tags if t == "a"]
    assert [(a["href"], a["download"]) for a in links] == [
        ("gradio_api/file=/w/out/a.jpg", "a.jpg"),
        ("gradio_api/file=/w/out/b.jpg", "b.jpg"),
    ]
    assert two.count("이 사진 받기") == 2
    # Shown only while the server runs: a page left open after it stopped offers nothing.
    assert '<p class="pg-offline" role="alert">' in two


def test_one_view_per_face_original_and_protected_in_the_same_place():
    markup = views.comparisons([_outcome(sims=(0.1, 0.2))], "en")
    tags = _Tags(markup).tags
    views_ = [a for t, a in tags if t == "div" and a.get("class") == "pg-view"]
    assert len(views_) == 2
    assert all(a["style"] == "--w:120px;--h:140px;--cx:50px;--cy:64px" and a["role"] == "group" for a in views_)
    images = [a for t, a in tags if t == "img"]
    assert [a["class"] for a in images] == ["pg-after", "pg-before", "pg-native"] * 2
    assert all(a.get("alt") and a["src"].startswith("gradio_api/file=/w/") for a in images)
    assert all(a["draggable"] == "false" for a in images)
    # The switch and the zoom are native inputs; each face's zoom is its own group.
    inputs = [a for t, a in tags if t == "input"]
    assert [a["type"] for a in inputs] == ["checkbox", "radio", "radio"] * 2
    assert {a["name"] for a in inputs if a["type"] == "radio"} == {"pg-face-0-1-zoom", "pg-face-0-2-zoom"}
    text = _text(markup)
    assert "Compare at 100 %" in text and "Show the original" in text and "100%" in text and "200%" in text
    assert "selfie.jpg, face 1" in text and "selfie.jpg, face 2" in text
    assert "made 8 times stronger (grey: unchanged)" in text  # the difference, in a closed disclosure
    assert "<details" in markup and "<details open" not in markup


def test_every_face_panel_has_its_own_name():
    """axe's landmark-unique: several photos' face 1 must not share a name."""
    markup = views.comparisons([_outcome("a.jpg"), _outcome("b.jpg")], "ko")
    labels = [a["aria-label"] for t, a in _Tags(markup).tags if a.get("aria-label")]
    headings = re.findall(r'<h3 id="([^"]+)">(.*?)</h3>', markup)
    assert len(set(labels)) == len(labels) == 2 and len({h for _, h in headings}) == 2
    assert [h for _, h in headings] == ["a.jpg, 얼굴 1", "b.jpg, 얼굴 1"]
    assert len({i for i, _ in headings}) == 2


def test_a_face_still_recognised_is_not_labelled_protected():
    markup = views.comparisons([_outcome(sims=(0.9,), strength="strong")], "en")
    states = re.findall(r'<span class="pg-state [^"]+" aria-hidden="true">(.*?)</span>', markup)
    assert states == ["With cloak", "Original"] and "Protected" not in markup
    ko = views.comparisons([_outcome(sims=(0.9,))], "ko")
    assert "보호막 입힘" in ko and "보호된 사진" not in ko


def test_photos_without_a_cloaked_face_have_no_comparison():
    assert views.comparisons([Outcome("m.jpg", None)], "en") == ""
    assert views.comparisons([_outcome(sims=(None,))], "en") == ""


def test_chosen_photos_show_thumbnails():
    markup = views.chosen("ko", ["a.jpg", "b.heic"], ["/w/chosen/0.png", None])
    images = [a for t, a in _Tags(markup).tags if t == "img"]
    assert [a["src"] for a in images] == ["gradio_api/file=/w/chosen/0.png"] and images[0]["alt"] == "선택한 사진 a.jpg"
    assert "선택한 사진 2장" in markup and "b.heic" in markup
    assert views.chosen("en", [], []).startswith('<p class="pg-chosen-none">No photo chosen yet')


def test_file_names_cannot_inject_markup():
    name = '<img src=x onerror="alert(1)">.jpg'
    for markup in (
        views.verdicts([_outcome(name), _outcome("b.jpg")], "en"),
        views.comparisons([_outcome(name)], "en"),
        views.chosen("en", [name], [None]),
    ):
        assert "<img src=x" not in markup and "&lt;img src=x" in markup


def test_file_urls_are_quoted():
    assert views.file_url("/tmp/a b/#1.png") == "gradio_api/file=/tmp/a%20b/%231.png"
