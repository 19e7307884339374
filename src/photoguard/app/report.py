"""Plain-language reports for the app: a :class:`~photoguard.types.ProtectResult` (or a metadata
strip) plus the metadata findings of the original -> Markdown a non-technical person can read.

Pure functions, no Gradio: unit-tested in ``tests/test_app_report.py``.

Example::

    >>> from photoguard.app.report import plain_finding
    >>> plain_finding("location 37.498 N, 127.028 E")
    'GPS location: 37.498 N, 127.028 E (where the photo was taken)'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from photoguard.models.encoders import ENCODERS
from photoguard.types import FaceReport, FaceStatus, ProtectResult, Verdict


#: Finding prefixes (from :mod:`photoguard.metadata.findings`) -> plain words. Longest first.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("device serial ", "Phone or camera serial number: "),
    ("device maker ", "Phone or camera maker: "),
    ("device ", "Phone or camera model: "),
    ("lens maker ", "Lens maker: "),
    ("lens ", "Lens: "),
    ("date ", "Date and time: "),
    ("place: ", "Place name: "),
    ("unique ID ", "Unique photo ID: "),
    ("software: ", "Editing software: "),
    ("computer name: ", "Computer name: "),
)


def plain_finding(finding: str) -> str:
    """One metadata finding (``"location 37.498 N, 127.028 E"``) in plain words.

    Args:
        finding: a finding string from :attr:`photoguard.metadata.MetadataReport.findings`.

    Returns:
        The same fact worded for a non-technical reader; unknown findings are only capitalised.
    """
    finding = finding.strip()
    if finding.startswith("location "):
        return f"GPS location: {finding[len('location '):]} (where the photo was taken)"
    if finding == "GPS data":
        return "GPS data (where the photo was taken)"
    if finding.startswith("embedded thumbnail"):
        return "Embedded thumbnail, a small hidden copy of the picture" + finding[len("embedded thumbnail"):]
    for prefix, plain in _PREFIXES:
        if finding.startswith(prefix):
            return plain + finding[len(prefix):]
    return finding[:1].upper() + finding[1:]


def plain_findings(findings: Sequence[str]) -> list[str]:
    """All findings in plain words; a bare "GPS data" is dropped when a GPS location is listed."""
    has_location = any(f.startswith("location ") for f in findings)
    return [plain_finding(f) for f in findings if not (has_location and f == "GPS data")]


def _quality_line(psnr: float, face_psnr: float | None) -> str:
    if math.isinf(psnr):
        return "**Quality:** the pixels are unchanged."
    face = f", {face_psnr:.1f} dB around the face" if face_psnr is not None and not math.isinf(face_psnr) else ""
    # The face is where the cloak is and where people look: judge by it when it was measured.
    judged = face_psnr if face_psnr is not None and not math.isinf(face_psnr) else psnr
    if judged >= 40:
        verdict = "the change is invisible to the eye"
    elif judged >= 36:
        verdict = "the change is hard to see, even side by side"
    else:
        verdict = "the change may be visible up close"
    return f"**Quality:** PSNR {psnr:.1f} dB for the whole photo{face} (higher is closer to the original; {verdict})."


def verification_line(face: FaceReport) -> str | None:
    """The honest protection score of one cloaked face, or None when it was not checked at all.

    ``"✅ A face-recognition model now sees a different person: similarity 0.08, was 1.00;
    same person from 0.33 (...)."``
    """
    if face.status is FaceStatus.NOT_FOUND:
        return ("⚠️ Not checked: after the cloak the face detector did not find this face again, so its "
                "protection could not be measured. Another detector may still find it.")
    sim, limit = face.verification_similarity, face.verification_threshold
    if sim is None or limit is None:
        return None
    spec = ENCODERS.get(face.verification_encoder or "")
    model = spec.display_name if spec else face.verification_encoder or "a face-recognition model"
    numbers = f"similarity {sim:.2f}, was 1.00; the same person from {limit:.2f}, a safety margin included"
    checked = f"(checked with {model}, a model the cloak was not tuned against)"
    if face.status is FaceStatus.RECOGNISED:
        return (f"⚠️ A face-recognition model still sees the same person: {numbers} {checked}. "
                "Try the **strong** setting for more protection.")
    return f"✅ A face-recognition model now sees a different person: {numbers} {checked}."


def faces_section(faces: Sequence[FaceReport]) -> list[str]:
    """Bullet lines about the faces found, protected and verified."""
    if not faces:
        return ["**Faces:** no face found, so nothing was cloaked. The pixels are untouched; only hidden data was removed."]
    done = sum(f.protected for f in faces)
    safe = sum(f.status is FaceStatus.PROTECTED for f in faces)
    lines = [f"**Faces:** {len(faces)} found, {done} cloaked, {safe} checked protected."]
    for f in faces:
        label = f"Face {f.index + 1}" if len(faces) > 1 else "Face"
        if not f.protected:
            lines.append(f"{label}: ⚠️ not protected ({f.reason or 'unknown reason'}).")
            continue
        check = verification_line(f)
        if check:
            lines.append(f"{label}: {check}" if len(faces) > 1 else check)
    return lines


def metadata_section(findings: Sequence[str], *, inspected: bool = True) -> list[str]:
    """Bullet lines about the hidden data that was removed."""
    if not inspected:
        return ["**Hidden data:** the original's metadata could not be read, but the protected file holds none."]
    if not findings:
        return ["**Hidden data:** none found (no location, device, dates or names); the file is clean."]
    return ["**Hidden data removed:**"] + [f"  - {line}" for line in plain_findings(findings)]


def download_line(name: str) -> str:
    """Which file to download and that it is the exact file written (no preview re-encode)."""
    return f"**Download:** `{name}`, exactly the file photoguard wrote (the previews above are only for looking)."


def protect_report(
    name: str, result: ProtectResult, findings: Sequence[str], *, strength: str, inspected: bool = True
) -> str:
    """Markdown report for one photo protected with :func:`photoguard.protect`.

    Args:
        name: the file name the person uploaded.
        result: what :func:`photoguard.protect` returned.
        findings: ``inspect_metadata(original).findings``.
        strength: the preset used (``fast``, ``medium``, ``strong``).
        inspected: False when the original's metadata could not be inspected.
    """
    done = result.faces_protected
    lines = faces_section(result.faces)
    if done:
        lines.append(_quality_line(result.psnr, result.face_psnr))
    lines += metadata_section(findings, inspected=inspected)
    if result.output_path is not None:
        lines.append(download_line(result.output_path.name))
    body = "\n".join(line if line.startswith("  - ") else f"- {line}" for line in lines)
    return f"### {headline_mark(result.verdict)} {result.headline}: {name} ({strength})\n\n{body}\n"


#: The mark before each verdict in the app's headline (the words carry the meaning; the mark only repeats it).
_MARKS = {Verdict.PROTECTED: "✅", Verdict.PARTLY: "⚠️", Verdict.NOT_PROTECTED: "⚠️", Verdict.NOT_CHECKED: "⚠️",
          Verdict.NO_FACE: "ℹ️"}


def headline_mark(verdict: Verdict) -> str:
    """The symbol shown before a photo's verdict."""
    return _MARKS[verdict]


def metadata_only_report(name: str, findings: Sequence[str], *, pixels: str, out_name: str, inspected: bool = True) -> str:
    """Markdown report for one photo whose metadata only was stripped (faces not cloaked)."""
    lines = ["**Faces:** not cloaked (metadata only was chosen)."]
    lines.append("**Pixels:** " + ("unchanged, copied bit for bit." if pixels == "bit-identical" else f"{pixels}."))
    lines += metadata_section(findings, inspected=inspected)
    lines.append(download_line(out_name))
    body = "\n".join(line if line.startswith("  - ") else f"- {line}" for line in lines)
    return f"### {name}: hidden data removed (metadata only)\n\n{body}\n"


def error_report(name: str, message: str) -> str:
    """Markdown for a file that could not be processed."""
    return f"### {name}: not processed\n\n- ❌ {message}\n"
