"""HTML for the app's results, in the page's language: the verdict of every photo (shown first),
and the comparisons: the whole photo with a before/after slider, every face at 100 % (original
and protected side by side, pannable) and their difference made 8 times stronger.

Plain HTML and CSS with a native ``<input type="range">`` (keyboard-operable); the few lines
of script that move the slider are :data:`SLIDER_JS`. No Gradio here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from urllib.parse import quote

from photoguard.app.previews import DIFF_GAIN, FaceCrops
from photoguard.app.processing import Outcome
from photoguard.app.strings import text
from photoguard.types import FaceStatus, Verdict

#: Verdict -> the card's class (colour) and mark; the words carry the meaning, the mark repeats it.
_TONES: dict[Verdict | None, tuple[str, str]] = {
    Verdict.PROTECTED: ("pg-ok", "✓"),
    Verdict.PARTLY: ("pg-warn", "!"),
    Verdict.NOT_PROTECTED: ("pg-warn", "!"),
    Verdict.NOT_CHECKED: ("pg-warn", "?"),
    Verdict.TOO_SMALL: ("pg-warn", "!"),
    Verdict.NO_FACE: ("pg-info", "i"),
    None: ("pg-info", "i"),
}

#: Moves the before/after divider as the slider moves (delegated: survives every re-render).
SLIDER_JS = """
element.addEventListener('input', (event) => {
  const range = event.target;
  if (!range.classList || !range.classList.contains('pg-range')) return;
  const figure = range.closest('.pg-slider');
  figure.querySelector('.pg-over').style.clipPath = `inset(0 0 0 ${range.value}%)`;
  figure.querySelector('.pg-divider').style.left = `${range.value}%`;
});
"""

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def file_url(path: str) -> str:
    """The URL (relative to the page) at which Gradio serves ``path`` from its upload folder."""
    return "gradio_api/file=" + quote(path, safe="/")


def inline(markdown: str) -> str:
    """Escape ``markdown`` for HTML, keeping its ``**bold**``."""
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(markdown, quote=False))


def message(body: str) -> str:
    """A short note in the verdict area (before anything was protected, after deleting)."""
    return f'<div class="pg-note"><p>{inline(body)}</p></div>'


def _headline_words(words: str) -> str:
    """The verdict, capitalised; a trailing "(...)" set smaller so the verdict itself stands out."""
    words = words[:1].upper() + words[1:]
    main, paren, rest = words.partition(" (")
    small = f' <span class="pg-more">({html.escape(rest)}</span>' if paren else ""
    return f'<span class="pg-words">{html.escape(main)}{small}</span>'


def verdicts(outcomes: Sequence[Outcome], lang: str) -> str:
    """One card per photo, the held-out verdict as its heading."""
    cards = []
    for i, outcome in enumerate(outcomes):
        tone, mark = ("pg-error", "×") if outcome.failure is not None else _TONES[outcome.verdict]
        words = outcome.headline(lang)
        strength = (
            f" · {text(lang, f'preset.{outcome.strength}')}" if outcome.strength and outcome.failure is None else ""
        )
        cards.append(
            f'<article class="pg-card {tone}" aria-labelledby="pg-verdict-{i}">'
            f'<h2 class="pg-headline" id="pg-verdict-{i}"><span class="pg-mark" aria-hidden="true">{mark}</span>'
            f"{_headline_words(words)}</h2>"
            f'<p class="pg-name">{html.escape(outcome.name)}{html.escape(strength)}</p>'
            f'<p class="pg-why">{inline(outcome.why(lang))}</p></article>'
        )
    return f'<div class="pg-verdicts">{"".join(cards)}</div>'


def _img(path: str, alt: str, cls: str = "", size: tuple[int, int] | None = None, style: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    if size is not None:
        attrs += f' width="{size[0]}" height="{size[1]}"'
        style = f"width:{size[0]}px;height:{size[1]}px;{style}"
    if style:
        attrs += f' style="{style}"'
    return f'<img src="{html.escape(file_url(path))}" alt="{html.escape(alt)}"{attrs}>'


def _side(protected: bool) -> str:
    """The message key naming the processed side: "protected" only where the check said so."""
    return "protected" if protected else "cloaked"


def _slider(outcome: Outcome, lang: str) -> str:
    assert outcome.whole is not None
    before, after = outcome.whole
    side = _side(outcome.verdict is Verdict.PROTECTED)
    left, right = text(lang, "view.original"), text(lang, f"view.{side}")
    original = text(lang, "view.whole.alt", name=outcome.name, side=text(lang, "view.original"))
    processed = text(lang, "view.whole.alt", name=outcome.name, side=text(lang, f"view.side.{side}"))
    return (
        '<figure class="pg-slider"><div class="pg-stack">'
        + _img(before, original, "pg-under")
        + _img(after, processed, "pg-over", style="clip-path:inset(0 0 0 50%)")
        + '<span class="pg-divider" style="left:50%" aria-hidden="true"></span>'
        f'<span class="pg-tag pg-left" aria-hidden="true">{html.escape(left)}</span>'
        f'<span class="pg-tag pg-right" aria-hidden="true">{html.escape(right)}</span></div>'
        f'<label class="pg-range-label">{html.escape(text(lang, "view.slider", side=text(lang, f"view.side.{side}")))}'
        '<input type="range" class="pg-range" min="0" max="100" step="1" value="50"></label></figure>'
    )


def _face(face: FaceCrops, protected: bool, lang: str) -> str:
    n = face.index + 1
    w, h = face.size
    pan = text(lang, "view.pan", n=n, side=text(lang, f"view.side.{_side(protected)}"))
    sides = []
    for key, path in (("view.original", face.original), (f"view.{_side(protected)}", face.protected)):
        side = text(lang, key)
        alt = text(lang, "view.face.alt", n=n, side=side, w=w, h=h)
        sides.append(
            f'<figure class="pg-side"><figcaption>{html.escape(side)}</figcaption>{_img(path, alt, "pg-native", face.size)}</figure>'
        )
    return (
        f'<section class="pg-face"><h4>{html.escape(text(lang, "view.face", n=n))}</h4>'
        f'<p class="pg-hint">{html.escape(text(lang, "view.face.hint"))}</p>'
        f'<div class="pg-pan" tabindex="0" role="region" aria-label="{html.escape(pan)}">' + "".join(sides) + "</div>"
        f'<figure class="pg-diff"><figcaption>{html.escape(text(lang, "view.diff", gain=DIFF_GAIN))}</figcaption>'
        f'<div class="pg-pan" tabindex="0" role="region" aria-label="{html.escape(text(lang, "view.diff.pan", n=n))}">'
        + _img(face.diff, text(lang, "view.diff.alt", n=n, gain=DIFF_GAIN), "pg-native", face.size)
        + "</div></figure></section>"
    )


def _face_safe(outcome: Outcome, face: FaceCrops) -> bool:
    assert outcome.result is not None
    return outcome.result.faces[face.index].status is FaceStatus.PROTECTED


def comparisons(outcomes: Sequence[Outcome], lang: str) -> str:
    """The before/after slider and the 100 % views of every photo with a cloaked face ("" when none)."""
    shown = [o for o in outcomes if o.faces and o.whole is not None]
    if not shown:
        return ""
    parts = [f'<h2 class="pg-section">{html.escape(text(lang, "view.heading"))}</h2>']
    for outcome in shown:
        parts.append(
            f'<section class="pg-photo"><h3>{html.escape(text(lang, "view.photo", name=outcome.name))}</h3>'
            + _slider(outcome, lang)
            + "".join(_face(f, _face_safe(outcome, f), lang) for f in outcome.faces)
            + "</section>"
        )
    return "".join(parts)
