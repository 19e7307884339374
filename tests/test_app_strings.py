"""The app's two tables of words: the same keys and placeholders in both (the Korean leaving out
only values that would be English), Korean really Korean with no Latin-script word but file
formats, the browser's language picked as Gradio's front end picks it, progress stages reworded."""

from __future__ import annotations

import re
import string

import pytest

from photoguard.app.strings import (
    EN,
    KO,
    KO_LEAVES_OUT,
    TABLES,
    keep_words,
    language,
    language_from_header,
    seconds_left,
    stage,
    text,
)
from photoguard.progress import STAGES as STAGE_WORDS
from photoguard.progress import Stage

#: Keys whose Korean may equal the English (formats and names only).
SAME_IN_BOTH = {"report.heading", "report.heading.plain", "progress.one", "error.line", "sure.range", "sure.and"}
HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: A word in Latin script; the Korean may only name file formats so ("JPEG", "PNG").
LATIN_WORD = re.compile(r"[A-Za-z]+")
LATIN_ALLOWED = {"JPEG", "PNG"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_tables_hold_the_same_keys_and_placeholders():
    assert set(EN) == set(KO)
    for key in EN:
        assert _fields(EN[key]) - KO_LEAVES_OUT.get(key, set()) == _fields(KO[key]), key
    for key, left_out in KO_LEAVES_OUT.items():
        assert left_out <= _fields(EN[key]) and not left_out & _fields(KO[key]), key


def test_korean_has_no_english_words():
    """No Latin-script word in any Korean template: no product name in English, no PSNR or dB,
    no model name, no "GPS" (file names and values found in a photo come in through placeholders)."""
    for key, words in KO.items():
        template = re.sub(r"\{[a-z_]+\}", "", words)
        assert set(LATIN_WORD.findall(template)) <= LATIN_ALLOWED, (key, words)


def test_korean_is_written_in_korean():
    for key, words in KO.items():
        if key in SAME_IN_BOTH:
            continue
        assert HANGUL.search(words), f"{key}: {words!r} has no Korean"


def test_the_brief_wording_for_a_face_still_recognised():
    assert "얼굴 인식 모델이 아직 같은 사람으로 알아봅니다 — **‘강하게’**를 선택해 보세요" in KO["why.recognised"]
    assert text("ko", "strength.strong") == "강하게"  # the choice the sentence names


@pytest.mark.parametrize(
    "header, lang",
    [
        ("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "ko"),
        ("en-US,en;q=0.9,ko;q=0.8", "en"),
        ("ko", "ko"),
        ("fr-FR,fr;q=0.9", "en"),
        ("en;q=0.5, ko;q=0.9", "ko"),
        ("", "en"),
        (None, "en"),
        ("ko;q=abc, en", "en"),
    ],
)
def test_language_from_the_browser(header, lang):
    assert language_from_header(header) == lang


def test_language_codes_fall_back_to_english():
    assert language("ko-KR") == "ko" and language("EN") == "en" and language("ja") == "en" and language(None) == "en"
    assert text("ko-KR", "protect") == "사진 보호하기"


def test_keep_words():
    assert keep_words("en", 3600) == "1 hour" and keep_words("ko", 3600) == "1시간"
    assert keep_words("en", 7200) == "2 hours" and keep_words("ko", 7200) == "2시간"
    assert text("en", "privacy", keep=keep_words("en", 3600)).endswith("after 1 hour, or now:")


#: Sample values for the stages that carry numbers.
_VALUES = {"cloaking": {"n": 2}, "step": {"i": 1, "n": 2, "s": 3, "steps": 30}}


@pytest.mark.parametrize("key", list(STAGE_WORDS))
def test_every_progress_stage_is_worded_in_both_languages(key):
    """Every stage the library or the app can report has its words in both tables."""
    s = Stage(key, **_VALUES.get(key, {}))
    assert HANGUL.search(stage("ko", s)), stage("ko", s)
    assert stage("en", s) and "{" not in stage("en", s)


def test_time_left():
    assert seconds_left("en", 42) == "about 40 s left" and seconds_left("ko", 42) == "약 40초 남음"
    assert seconds_left("en", 130) == "about 2 min left" and seconds_left("ko", 130) == "약 2분 남음"


def test_cloaking_steps_keep_their_numbers():
    s = Stage("step", i=1, n=2, s=3, steps=30)
    assert stage("en", s) == "cloaking: face 1 of 2, step 3 of 30" == str(s)
    assert stage("ko", s) == "보호막을 입히는 중: 얼굴 2개 중 1번째, 30단계 중 3단계"
    assert stage("ko", "a new stage") == "a new stage"  # not a Stage: shown as it is


def test_a_stage_survives_pickling():
    import pickle

    s = pickle.loads(pickle.dumps(Stage("cloaking", n=3)))
    assert isinstance(s, Stage) and s.key == "cloaking" and s.values == {"n": 3} and s == "cloaking 3 face(s)"


def test_tables_are_registered():
    assert set(TABLES) == {"en", "ko"}
