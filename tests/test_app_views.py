"""The results' HTML: the verdict first, "protected" only where the check said so, labelled and
described images at their own size, a native slider, no injection through file names."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np

from photoguard.app import views
from photoguard.app.previews import FaceCrops
from photoguard.app.processing import Failure, Outcome
from photoguard.types import FaceReport, ProtectResult


def _result(sims: list[float], strength: str = "medium") -> ProtectResult:
    faces = [
        FaceReport(
            index=i,
            box=(0.0, 0.0, 50.0, 50.0),
            score=0.9,
            protected=True,
            verification_encoder="facenet",
            verification_similarity=s,
            verification_threshold=0.3,
            found_again=True,
        )
        for i, s in enumerate(sims)
    ]
    return ProtectResult(
        image=np.zeros((0, 0, 3), np.uint8), faces=faces, timings={}, psnr=45.0, face_psnr=38.0, strength=strength
    )


def _outcome(name: str = "selfie.jpg", sims: tuple[float, ...] = (0.1,), strength: str = "medium") -> Outcome:
    crops = [
        FaceCrops(
            i,
            f"/w/face{i + 1}_original.png",
            f"/w/face{i + 1}_protected.png",
            f"/w/face{i + 1}_difference.png",
            (120, 140),
        )
        for i in range(len(sims))
    ]
    return Outcome(
        name,
        strength,
        _result(list(sims), strength),
        output=Path(f"/w/out/{name}"),
        whole=("/w/before.png", "/w/after.png"),
        faces=crops,
    )


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


def test_errors_and_metadata_only_get_their_own_cards():
    markup = views.verdicts(
        [Outcome("x.txt", "fast", failure=Failure("error.unsupported")), Outcome("m.jpg", None)], "ko"
    )
    assert "pg-error" in markup and "처리하지 못함" in markup and "JPEG, PNG, WebP, HEIC" in markup
    assert "숨은 정보만 삭제함" in markup


def test_comparisons_label_every_side_and_describe_every_image():
    markup = views.comparisons([_outcome(sims=(0.1, 0.2))], "en")
    tags = _Tags(markup).tags
    images = [a for t, a in tags if t == "img"]
    assert len(images) == 2 + 3 * 2  # the whole photo twice, and three views per face
    assert all(a.get("alt") for a in images)
    native = [a for a in images if a.get("class") == "pg-native"]
    assert all(a["width"] == "120" and a["height"] == "140" and "width:120px" in (a.get("style") or "") for a in native)
    assert all(a["src"].startswith("gradio_api/file=/w/") for a in images)
    pans = [a for t, a in tags if t == "div" and a.get("class") == "pg-pan"]
    assert len(pans) == 4 and all(a["tabindex"] == "0" and a["role"] == "region" and a["aria-label"] for a in pans)
    ranges = [a for t, a in tags if t == "input"]
    assert ranges == [{"type": "range", "class": "pg-range", "min": "0", "max": "100", "step": "1", "value": "50"}]
    text = _text(markup)
    assert "Face 1 at 100 %" in text and "Face 2 at 100 %" in text and text.count("Original") >= 3
    assert "made 8 times stronger (grey: unchanged)" in text


def test_a_face_still_recognised_is_not_labelled_protected():
    markup = views.comparisons([_outcome(sims=(0.9,), strength="strong")], "en")
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", markup)
    assert captions[:2] == ["Original", "With cloak"] and "Protected" not in markup
    assert "original on the left, with cloak on the right" in markup
    ko = views.comparisons([_outcome(sims=(0.9,))], "ko")
    assert "보호막 입힘" in ko and "보호된 사진" not in ko


def test_photos_without_a_cloaked_face_have_no_comparison():
    assert views.comparisons([Outcome("m.jpg", None, whole=("/w/a.png", "/w/a.png"))], "en") == ""


def test_file_names_cannot_inject_markup():
    name = '<img src=x onerror="alert(1)">.jpg'
    for markup in (views.verdicts([_outcome(name)], "en"), views.comparisons([_outcome(name)], "en")):
        assert "<img src=x" not in markup and "&lt;img src=x" in markup


def test_file_urls_are_quoted():
    assert views.file_url("/tmp/a b/#1.png") == "gradio_api/file=/tmp/a%20b/%231.png"
