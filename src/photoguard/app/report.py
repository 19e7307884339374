"""Plain-language reports for the app, in the page's language: a
:class:`~photoguard.types.ProtectResult` (or a metadata strip) plus the metadata findings of the
original -> Markdown a non-technical person can read. Every word comes from
:mod:`photoguard.app.strings`.

Pure functions, no Gradio: unit-tested in ``tests/test_app_report.py``.

Example::

    >>> from photoguard.app.report import plain_finding
    >>> from photoguard.metadata.findings import Finding, FindingKind
    >>> plain_finding(Finding(FindingKind.LOCATION, "37.498 N, 127.028 E"))
    'GPS location: 37.498 N, 127.028 E (where the photo was taken)'
    >>> plain_finding(Finding(FindingKind.LOCATION, "37.498 N, 127.028 E"), "ko")
    '촬영 위치: 37.498 N, 127.028 E (사진을 찍은 곳)'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from photoguard.app.strings import text
from photoguard.config import DEFAULT_PRESET, PRESETS
from photoguard.coverage import LEAVE_ONE_OUT, PEOPLE, PRESET, said_protected_range
from photoguard.metadata.findings import Finding, FindingKind
from photoguard.models.encoders import ENCODERS
from photoguard.types import FaceReason, FaceReport, FaceStatus, ProtectResult, Verdict, Visibility, shown_jod

#: Each kind of finding -> its message key (``{value}``: the finding's value), or None where the
#: library's English words are shown (capitalised) in every language. Every kind is listed.
FINDING_KEYS: dict[FindingKind, str | None] = {
    FindingKind.LOCATION: "finding.location",
    FindingKind.LOCATION_UNREADABLE: "finding.gps",
    FindingKind.GPS: "finding.gps",
    FindingKind.ALTITUDE: "finding.altitude",
    FindingKind.PLACE: "finding.place",
    FindingKind.SERIAL: "finding.serial",
    FindingKind.MAKER: "finding.maker",
    FindingKind.DEVICE: "finding.device",
    FindingKind.LENS_MAKER: "finding.lens maker",
    FindingKind.LENS: "finding.lens",
    FindingKind.MAKER_NOTES: "finding.maker notes",
    FindingKind.SOFTWARE: "finding.software",
    FindingKind.COMPUTER: "finding.computer",
    FindingKind.ARTIST: "finding.artist",
    FindingKind.CREATOR: "finding.creator",
    FindingKind.BY_LINE: "finding.author",
    FindingKind.AUTHOR: "finding.author",
    FindingKind.AUTHOR_TITLE: None,
    FindingKind.OWNER: "finding.owner",
    FindingKind.COPYRIGHT: "finding.copyright",
    FindingKind.CREDIT: None,
    FindingKind.WRITER: None,
    FindingKind.CONTACT: None,
    FindingKind.RIGHTS: None,
    FindingKind.RIGHTS_URL: None,
    FindingKind.SOURCE: None,
    FindingKind.DATE: "finding.date",
    FindingKind.ID: "finding.id",
    FindingKind.TEXT: "finding.text",
    FindingKind.TEXT_CHUNK: "finding.text",
    FindingKind.AI_PROMPT: "finding.ai",
    FindingKind.THUMBNAIL: "finding.thumbnail",
    FindingKind.SECONDARY_IMAGES: None,
    FindingKind.IMAGE_COUNT: None,
    FindingKind.DEPTH_MAP: None,
    FindingKind.AUX_IMAGE: None,
    FindingKind.MULTI_PICTURE: None,
    FindingKind.MOTION_MARKER: "finding.motion",
    FindingKind.MOTION_VIDEO: "finding.motion video",
    FindingKind.EXTENDED_XMP: None,
    FindingKind.C2PA: None,
    FindingKind.JUMBF: None,
    FindingKind.EXIF_UNREADABLE: None,
    FindingKind.APP_SEGMENT: None,
    FindingKind.METADATA_ITEM: None,
    FindingKind.UNKNOWN_CHUNK: None,
    FindingKind.TRAILING_DATA: None,
}
#: Kinds that give the photo's position; a bare "GPS data" says nothing more next to one.
_POSITION = (FindingKind.LOCATION, FindingKind.LOCATION_UNREADABLE)

#: The mark before each verdict (the words carry the meaning; the mark only repeats it).
_MARKS = {
    Verdict.PROTECTED: "✅",
    Verdict.PARTLY: "⚠️",
    Verdict.NOT_PROTECTED: "⚠️",
    Verdict.NOT_CHECKED: "⚠️",
    Verdict.TOO_SMALL: "⚠️",
    Verdict.NO_FACE: "ℹ️",
}


def plain_finding(finding: str, lang: str = "en") -> str:
    """One metadata finding in plain words, worded by its kind.

    Args:
        finding: a :class:`~photoguard.metadata.findings.Finding` from
            :attr:`photoguard.metadata.MetadataReport.findings`; a plain ``str`` (a finding read
            back from a JSON report) has no kind and is shown as it is, capitalised.
        lang: ``"en"`` or ``"ko"``.

    Returns:
        The same fact worded for a non-technical reader, the finding's value kept as found; kinds
        without a message of their own are the library's words, capitalised.
    """
    key = FINDING_KEYS[finding.kind] if isinstance(finding, Finding) else None
    if not isinstance(finding, Finding) or key is None:
        words = finding.strip()
        return words[:1].upper() + words[1:]
    if finding.kind is FindingKind.THUMBNAIL:
        return text(lang, key, value=f" ({finding.value}; {text(lang, 'finding.uncropped')})")
    return text(lang, key, value=finding.value, where=finding.where)


def plain_findings(findings: Sequence[str], lang: str = "en") -> list[str]:
    """All findings in plain words, each line once; a bare "GPS data" is dropped when the
    photo's position is listed."""
    positioned = any(isinstance(f, Finding) and f.kind in _POSITION for f in findings)
    lines: dict[str, None] = {}
    for finding in findings:
        if not (positioned and isinstance(finding, Finding) and finding.kind is FindingKind.GPS):
            lines.setdefault(plain_finding(finding, lang), None)
    return list(lines)


def plain_reason(reason: str | None, lang: str = "en") -> str:
    """Why a face was left as it was, in ``lang``: a :class:`~photoguard.types.FaceReason` worded
    from its key (``reason.<key>``); other words (a reason read back from a report) as they are."""
    if not reason:
        return text(lang, "reason.unknown")
    if isinstance(reason, FaceReason):
        return text(lang, f"reason.{reason.key}", **reason.values)
    return reason


def headline_mark(verdict: Verdict) -> str:
    """The symbol shown before a photo's verdict."""
    return _MARKS[verdict]


def headline(result: ProtectResult, lang: str = "en") -> str:
    """The photo's verdict in words; in English exactly :attr:`ProtectResult.headline`."""
    verdict = result.verdict
    if verdict is Verdict.PARTLY:
        return text(lang, "verdict.partly", safe=result.faces_safe, total=len(result.faces))
    if verdict is Verdict.NOT_PROTECTED and result.strength != "strong":
        return text(lang, "verdict.try strong")
    return text(lang, f"verdict.{verdict.value}")


def why(result: ProtectResult, lang: str = "en") -> str:
    """One sentence under the verdict: what it means and what to do."""
    verdict = result.verdict
    statuses = [f.status for f in result.faces]
    if verdict is Verdict.PROTECTED:
        return text(lang, "why.protected")
    if verdict is Verdict.PARTLY:
        return text(lang, "why.partly", safe=result.faces_safe, total=len(result.faces))
    if verdict is Verdict.NOT_CHECKED:
        return text(lang, "why.not checked")
    if verdict is Verdict.NO_FACE:
        return text(lang, "why.no face")
    if verdict is Verdict.TOO_SMALL:
        px, least = max(too_small(f) for f in result.faces)
        return text(lang, "why.too small", px=px, min=least)
    if FaceStatus.RECOGNISED in statuses:
        return text(lang, "why.recognised strong" if result.strength == "strong" else "why.recognised")
    return text(lang, "why.not checked")


def too_small(face: FaceReport) -> tuple[int, int]:
    """``(size, minimum)`` in px of a face left as it was: from its reason, else its box against
    the presets' smallest cloaked size."""
    if isinstance(face.reason, FaceReason) and face.reason.key == "too small":
        return int(face.reason.values["px"]), int(face.reason.values["min"])
    x0, y0, x1, y1 = face.box
    return round(math.sqrt(max(x1 - x0, 0) * max(y1 - y0, 0))), min(c.min_face_px for c in PRESETS.values())


def covered(verdict: Verdict | None) -> bool:
    """Whether a card says what the verdict does not cover: where it calls a face protected."""
    return verdict in (Verdict.PROTECTED, Verdict.PARTLY)


def how_sure(lang: str = "en") -> str:
    """The figures behind "how sure is this?" (:mod:`photoguard.coverage`), in ``lang``."""
    spans = [text(lang, "sure.range", low=r.low, high=r.high) for r in LEAVE_ONE_OUT]
    ranges = text(lang, "sure.and", first=", ".join(spans[:-1]), last=spans[-1]) if len(spans) > 1 else spans[0]
    low, high = said_protected_range()
    return text(
        lang, "sure.body", preset=text(lang, f"preset.{PRESET}"), people=PEOPLE, ranges=ranges, low=low, high=high
    )


def visibility_sentence(result: ProtectResult, lang: str = "en") -> str | None:
    """What a model of human vision measured on the most visible face; None when nothing was
    measured (then nothing is said about visibility)."""
    if result.visibility is Visibility.NOT_MEASURED:
        return None
    return text(lang, f"visibility.{result.visibility.value}")


def _visibility_line(result: ProtectResult, lang: str) -> str | None:
    jod = result.visibility_jod
    if jod is None:
        return None
    words = text(lang, f"visibility.words.{result.visibility.value}")
    return text(lang, "visibility.line", words=words, jod=shown_jod(jod))


def _quality_line(psnr: float, face_psnr: float | None, lang: str) -> str:
    """The pixel difference as numbers only: PSNR does not measure what a person sees."""
    if math.isinf(psnr):
        return text(lang, "quality.unchanged")
    measured = face_psnr is not None and not math.isinf(face_psnr)
    face = text(lang, "quality.face", psnr=f"{face_psnr:.1f}") if measured else ""
    return text(lang, "quality", psnr=f"{psnr:.1f}", face=face)


def verification_line(face: FaceReport, lang: str = "en", *, strength: str = DEFAULT_PRESET) -> str | None:
    """The honest protection score of one cloaked face, or None when it was not checked at all.

    ``"✅ A face-recognition model now sees a different person: similarity 0.08, was 1.00;
    the same person from 0.33, (...)."``
    """
    if face.status is FaceStatus.NOT_FOUND:
        return text(lang, "check.lost")
    sim, limit = face.verification_similarity, face.verification_threshold
    if sim is None or limit is None:
        return None
    spec = ENCODERS.get(face.verification_encoder or "")
    model = spec.display_name if spec else face.verification_encoder or text(lang, "check.any model")
    numbers = text(lang, "check.numbers", sim=f"{sim:.2f}", limit=f"{limit:.2f}", model=model)
    if face.status is FaceStatus.RECOGNISED:
        return text(lang, "check.recognised strong" if strength == "strong" else "check.recognised", numbers=numbers)
    return text(lang, "check.safe", numbers=numbers)


def faces_section(faces: Sequence[FaceReport], lang: str = "en", *, strength: str = DEFAULT_PRESET) -> list[str]:
    """Bullet lines about the faces found, protected and verified."""
    if not faces:
        return [text(lang, "faces.none")]
    done = sum(f.protected for f in faces)
    safe = sum(f.status is FaceStatus.PROTECTED for f in faces)
    lines = [text(lang, "faces.count", found=len(faces), cloaked=done, safe=safe)]
    for f in faces:
        label = text(lang, "face.label", n=f.index + 1)
        if not f.protected:
            lines.append(f"{label}: " + text(lang, "face.not cloaked", reason=plain_reason(f.reason, lang)))
            continue
        check = verification_line(f, lang, strength=strength)
        if check:
            lines.append(f"{label}: {check}" if len(faces) > 1 else check)
    return lines


def metadata_section(findings: Sequence[str], lang: str = "en", *, inspected: bool = True) -> list[str]:
    """Bullet lines about the hidden data that was removed."""
    if not inspected:
        return [text(lang, "hidden.unread")]
    if not findings:
        return [text(lang, "hidden.none")]
    return [text(lang, "hidden.removed")] + [f"  - {line}" for line in plain_findings(findings, lang)]


def download_line(name: str, lang: str = "en") -> str:
    """Which file to download and that it is the exact file written (no preview re-encode)."""
    return text(lang, "download.line", name=name)


def _bullets(lines: Sequence[str]) -> str:
    return "\n".join(line if line.startswith("  - ") else f"- {line}" for line in lines)


def protect_report(
    name: str,
    result: ProtectResult,
    findings: Sequence[str],
    *,
    strength: str,
    inspected: bool = True,
    lang: str = "en",
) -> str:
    """Markdown report for one photo protected with :func:`photoguard.protect`.

    Args:
        name: the file name the person uploaded.
        result: what :func:`photoguard.protect` returned.
        findings: ``inspect_metadata(original).findings``.
        strength: the preset used (``fast``, ``medium``, ``strong``).
        inspected: False when the original's metadata could not be inspected.
        lang: ``"en"`` or ``"ko"``.
    """
    lines = faces_section(result.faces, lang, strength=strength)
    if result.edits and not result.faces:
        lines = [text(lang, "faces.none.edits")]
    if result.faces_protected:
        visibility = _visibility_line(result, lang)
        lines += [visibility] if visibility else []
        lines.append(_quality_line(result.psnr, result.face_psnr, lang))
    if result.edits:
        lines.append(text(lang, "edits.added", psnr=f"{result.psnr:.1f}"))
    lines += metadata_section(findings, lang, inspected=inspected)
    if result.output_path is not None:
        lines.append(download_line(result.output_path.name, lang))
    title = text(
        lang,
        "report.heading",
        mark=headline_mark(result.verdict),
        headline=headline(result, lang),
        name=name,
        strength=text(lang, f"preset.{strength}"),
    )
    return f"{title}\n\n{_bullets(lines)}\n"


def metadata_only_report(
    name: str, findings: Sequence[str], *, pixels: str, out_name: str, inspected: bool = True, lang: str = "en"
) -> str:
    """Markdown report for one photo whose metadata only was stripped (faces not cloaked)."""
    lines = [
        text(lang, "faces.metadata"),
        text(lang, "pixels.same") if pixels == "bit-identical" else text(lang, "pixels.other", detail=pixels),
    ]
    lines += metadata_section(findings, lang, inspected=inspected)
    lines.append(download_line(out_name, lang))
    title = text(lang, "report.heading.plain", mark="ℹ️", headline=text(lang, "verdict.metadata"), name=name)
    return f"{title}\n\n{_bullets(lines)}\n"


def error_report(name: str, message: str, lang: str = "en") -> str:
    """Markdown for a file that could not be processed."""
    title = text(lang, "report.heading.plain", mark="❌", headline=text(lang, "verdict.error"), name=name)
    return f"{title}\n\n- {text(lang, 'error.line', message=message)}\n"
