"""HTML for the app's results, in the page's language: the photos chosen (thumbnails), the verdict
of every photo (shown first, with what it does not cover), and, for every cloaked face, one view at
100 % centred on the face in which the original and the protected photo take turns in the same
place (press and hold the picture, or turn on "Show the original"; 100 % or 200 %).

Plain HTML and CSS: the switch and the zoom are native inputs read by CSS (``:has()``), the hold is
CSS ``:active`` helped by the few lines of :data:`PAGE_JS`. No Gradio here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from urllib.parse import quote

from photoguard.app.previews import DIFF_GAIN, FaceCrops
from photoguard.app.processing import Outcome
from photoguard.app.report import covered, how_sure, visibility_sentence
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
#: The zoom levels of the comparison (the first is the default).
ZOOMS = (1, 2)

#: Runs once when the page loads (``launch(js=...)``): holding a comparison shows the original
#: (CSS ``:active`` does it with a mouse; touch needs a listener, and the long press must not open
#: the image menu); the arrow keys move between the strengths; while results are shown, the page
#: asks the server every 5 s whether it still runs, and when it does not, hides the downloads.
PAGE_JS = """
() => {
  const hold = (on) => (event) => {
    const view = event.target.closest && event.target.closest('.pg-view');
    document.querySelectorAll('.pg-view.pg-holding').forEach((v) => { if (v !== view || !on) v.classList.remove('pg-holding'); });
    if (view && on) view.classList.add('pg-holding');
  };
  document.addEventListener('pointerdown', hold(true));
  ['pointerup', 'pointercancel', 'dragstart'].forEach((type) => document.addEventListener(type, hold(false)));
  document.addEventListener('contextmenu', (event) => {
    if (event.target.closest && event.target.closest('.pg-view')) event.preventDefault();
  });
  document.addEventListener('keydown', (event) => {
    const radio = event.target;
    if (!radio.matches || !radio.matches('#pg-strength input[type=radio]')) return;
    const step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[event.key];
    if (!step) return;
    const radios = [...document.querySelectorAll('#pg-strength input[type=radio]')];
    const next = radios[(radios.indexOf(radio) + step + radios.length) % radios.length];
    event.preventDefault();
    next.focus();
    next.click();
  });
  setInterval(async () => {
    if (!document.querySelector('.pg-card') || document.body.classList.contains('pg-server-gone')) return;
    try {
      const answer = await fetch(window.location.href, {method: 'HEAD', cache: 'no-store'});
      if (!answer.ok) throw new Error(String(answer.status));
    } catch (error) {
      document.body.classList.add('pg-server-gone');
    }
  }, 5000);
}
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


def chosen(lang: str, names: Sequence[str], thumbnails: Sequence[str | None]) -> str:
    """The photos chosen, each with its thumbnail (where one could be made) and its name."""
    if not names:
        return f'<p class="pg-chosen-none">{html.escape(text(lang, "chosen.none"))}</p>'
    items = []
    for name, thumb in zip(names, thumbnails):
        picture = _img(thumb, text(lang, "chosen.thumb", name=name), "pg-thumb") if thumb else ""
        items.append(f'<li>{picture}<span class="pg-thumb-name">{html.escape(name)}</span></li>')
    heading = html.escape(text(lang, "chosen", n=len(names)))
    return f'<p class="pg-chosen-count">{heading}</p><ul class="pg-thumbs">{"".join(items)}</ul>'


def _headline_words(words: str) -> str:
    """The verdict, capitalised; a trailing "(...)" set smaller so the verdict itself stands out."""
    words = words[:1].upper() + words[1:]
    main, paren, rest = words.partition(" (")
    small = f' <span class="pg-more">({html.escape(rest)}</span>' if paren else ""
    return f'<span class="pg-words">{html.escape(main)}{small}</span>'


def _coverage(lang: str) -> str:
    """What the verdict does not cover, and the figures behind it in a disclosure."""
    return (
        f'<p class="pg-coverage">{html.escape(text(lang, "coverage"))}</p>'
        f'<details class="pg-sure"><summary>{html.escape(text(lang, "sure.title"))}</summary>'
        f"<p>{html.escape(how_sure(lang))}</p></details>"
    )


def verdicts(outcomes: Sequence[Outcome], lang: str) -> str:
    """One card per photo, the held-out verdict as its heading; with several photos, each card
    has its own download link (one photo at a time is what a phone saves to its gallery)."""
    several = sum(o.output is not None for o in outcomes) > 1
    cards = []
    for i, outcome in enumerate(outcomes):
        tone, mark = ("pg-error", "×") if outcome.failure is not None else _TONES[outcome.verdict]
        strength = (
            f" · {text(lang, f'preset.{outcome.strength}')}" if outcome.strength and outcome.failure is None else ""
        )
        parts = [
            f'<h2 class="pg-headline" id="pg-verdict-{i}"><span class="pg-mark" aria-hidden="true">{mark}</span>'
            f"{_headline_words(outcome.headline(lang))}</h2>",
            f'<p class="pg-name">{html.escape(outcome.name)}{html.escape(strength)}</p>',
            f'<p class="pg-why">{inline(outcome.why(lang))}</p>',
        ]
        seen = visibility_sentence(outcome.result, lang) if outcome.result is not None else None
        if seen:
            parts.append(f'<p class="pg-visibility">{html.escape(seen)}</p>')
        if covered(outcome.verdict) and outcome.failure is None:
            parts.append(_coverage(lang))
        if several and outcome.output is not None:
            parts.append(
                f'<p class="pg-card-download"><a href="{html.escape(file_url(str(outcome.output)))}" '
                f'download="{html.escape(outcome.output.name)}">{html.escape(text(lang, "download.card"))}'
                f' <span class="pg-file">({html.escape(outcome.output.name)})</span></a></p>'
            )
        cards.append(f'<article class="pg-card {tone}" aria-labelledby="pg-verdict-{i}">{"".join(parts)}</article>')
    offline = f'<p class="pg-offline" role="alert">{html.escape(text(lang, "offline"))}</p>'
    return f'<div class="pg-verdicts">{offline}{"".join(cards)}</div>'


def _img(path: str, alt: str, cls: str = "", size: tuple[int, int] | None = None, style: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    if size is not None:
        attrs += f' width="{size[0]}" height="{size[1]}"'
    if style:
        attrs += f' style="{style}"'
    return f'<img src="{html.escape(file_url(path))}" alt="{html.escape(alt)}"{attrs} draggable="false">'


def _face(outcome: Outcome, photo: int, face: FaceCrops, lang: str) -> str:
    """One face: the view centred on it, the switch, the zoom, and the difference in a disclosure."""
    assert outcome.result is not None
    n = face.index + 1
    side_key = "protected" if outcome.result.faces[face.index].status is FaceStatus.PROTECTED else "cloaked"
    side, original = text(lang, f"view.{side_key}"), text(lang, "view.original")
    key = f"pg-face-{photo}-{n}"
    w, h = face.size
    cx, cy = face.centre
    # The image's top-left corner sits at the view's centre, moved back by the face's centre and
    # scaled around it: the face stays in the middle at every zoom.
    place = f"--w:{w}px;--h:{h}px;--cx:{cx:.0f}px;--cy:{cy:.0f}px"
    zooms = "".join(
        f'<label class="pg-zoom"><input type="radio" name="{key}-zoom" value="{z}"{" checked" if z == 1 else ""}>'
        f"{100 * z}%</label>"
        for z in ZOOMS
    )
    title = text(lang, "view.face", name=outcome.name, n=n)
    region = text(lang, "view.region", name=outcome.name, n=n, side=side)
    return (
        f'<section class="pg-face" aria-labelledby="{key}">'
        f'<h3 id="{key}">{html.escape(title)}</h3>'
        '<div class="pg-controls">'
        f'<label class="pg-toggle"><input type="checkbox" role="switch"> {html.escape(text(lang, "view.toggle"))}</label>'
        f'<fieldset class="pg-zooms"><legend>{html.escape(text(lang, "view.zoom"))}</legend>{zooms}</fieldset>'
        "</div>"
        f'<div class="pg-view" style="{place}" role="group" aria-label="{html.escape(region)}">'
        + _img(face.protected, text(lang, "view.alt", name=outcome.name, n=n, side=side, w=w, h=h), "pg-after")
        + _img(face.original, text(lang, "view.alt", name=outcome.name, n=n, side=original, w=w, h=h), "pg-before")
        + f'<span class="pg-state pg-state-after" aria-hidden="true">{html.escape(side)}</span>'
        f'<span class="pg-state pg-state-before" aria-hidden="true">{html.escape(original)}</span>'
        "</div>"
        f'<p class="pg-hint">{html.escape(text(lang, "view.hint"))}</p>'
        f'<details class="pg-diff"><summary>{html.escape(text(lang, "view.diff", gain=DIFF_GAIN))}</summary>'
        + _img(face.diff, text(lang, "view.diff.alt", name=outcome.name, n=n, gain=DIFF_GAIN), "pg-native", face.size)
        + "</details></section>"
    )


def comparisons(outcomes: Sequence[Outcome], lang: str) -> str:
    """The 100 % views of every cloaked face of every photo ("" when there is none)."""
    shown = [(i, o) for i, o in enumerate(outcomes) if o.faces and o.result is not None]
    if not shown:
        return ""
    parts = [f'<h2 class="pg-section">{html.escape(text(lang, "view.heading"))}</h2>']
    for i, outcome in shown:
        parts += [_face(outcome, i, face, lang) for face in outcome.faces]
    return "".join(parts)
