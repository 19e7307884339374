"""Every word the app shows, once per language: one table of message templates per language.

Both tables hold the same keys with the same ``{placeholders}`` (``tests/test_app_strings.py``
checks it). The English follows the library's own words (``ProtectResult.headline``, the CLI);
the Korean is written for people whose photos were misused, in plain polite sentences
(합니다체), with the same facts and numbers, not translated word for word.

Example::

    >>> text("ko", "verdict.protected")
    '보호됨'
    >>> text("ko", "left.s", n=40)
    '약 40초 남음'
    >>> language_from_header("ko-KR,ko;q=0.9,en-US;q=0.8")
    'ko'
"""

from __future__ import annotations

from photoguard.app.strings.en import EN
from photoguard.app.strings.ko import KO
from photoguard.eta import seconds_left_words
from photoguard.progress import Stage

#: Language code -> its name, written in that language (the switch shows these).
LANGUAGES: dict[str, str] = {"ko": "한국어", "en": "English"}
#: Used when the browser asks for neither language.
FALLBACK = "en"

TABLES: dict[str, dict[str, str]] = {"en": EN, "ko": KO}

#: Values the Korean leaves out of a message, by key, because they would put English on the page
#: (a model's name, the library's English detail of an error); the English shows them.
KO_LEAVES_OUT: dict[str, set[str]] = {
    "check.numbers": {"model"},
    "error.too large": {"detail"},
    "error.models": {"detail"},
    "error.other": {"detail"},
    "pixels.other": {"detail"},
}

#: Gradio's own strings, shown in the browser's language by Gradio's front end: keys its tables
#: lack (the upload button's name would read "common.upload"; screen readers announced
#: "common.complete" when a run ended) and wordings to replace.
GRADIO_STRINGS: dict[str, dict[str, str]] = {
    "en": {"common.upload": "Choose photos", "common.complete": "Done", "common.error": "Error"},
    "ko": {"common.upload": "사진 선택", "common.complete": "완료", "common.error": "오류"},
}


def language(code: str | None) -> str:
    """A supported language code for ``code`` (``"ko-KR"`` -> ``"ko"``); :data:`FALLBACK` otherwise."""
    base = (code or "").strip().lower().split("-")[0]
    return base if base in TABLES else FALLBACK


def text(lang: str, key: str, **values: object) -> str:
    """The message ``key`` in ``lang``, its ``{placeholders}`` filled from ``values``."""
    template = TABLES[language(lang)][key]
    return template.format(**values) if values else template


def language_from_header(accept_language: str | None) -> str:
    """The language to show for an HTTP ``Accept-Language`` header: its most wanted language when
    it is one of :data:`LANGUAGES` (as Gradio's front end chooses), else :data:`FALLBACK`."""
    best, best_weight = None, -1.0
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if tag and weight > best_weight:  # the first of equal weights wins
            best, best_weight = tag, weight
    return language(best)


def keep_words(lang: str, seconds: int) -> str:
    """How long results are kept, in words (``3600`` -> ``"1 hour"`` / ``"1시간"``)."""
    hours = max(1, round(seconds / 3600))
    return text(lang, "keep.hour") if hours == 1 else text(lang, "keep.hours", n=hours)


def seconds_left(lang: str, seconds: float) -> str:
    """An estimate of the time left in words (``"about 40 s left"`` / ``"약 40초 남음"``).

    >>> seconds_left("en", 42), seconds_left("ko", 95)
    ('about 40 s left', '약 2분 남음')
    """
    unit, n = seconds_left_words(seconds)
    return text(lang, f"left.{unit}", n=n)


def stage(lang: str, words: str) -> str:
    """A progress stage reported by :func:`photoguard.protect` (or by the app) in ``lang``: a
    :class:`~photoguard.progress.Stage` by its key and values; any other text as it is.

    >>> from photoguard.progress import Stage
    >>> stage("ko", Stage("step", i=1, n=2, s=3, steps=30))
    '보호막을 입히는 중: 얼굴 2개 중 1번째, 30단계 중 3단계'
    """
    if isinstance(words, Stage):
        return text(lang, f"stage.{words.key}", **words.values)
    return str(words)
