"""``photoguard verify ORIGINAL PROTECTED``: how well a protected photo holds up.

For every face in the original, the similarity of the protected face to the original face under
each available encoder (the one left out of the cloak is the honest score), as written and after
a JPEG quality 75 recompression like the one a platform applies on upload; then the metadata
still in the protected file.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import typer

from photoguard.channels import VERIFY_CHANNEL
from photoguard.cli import app
from photoguard.errors import ImageError, ModelError, PhotoguardError
from photoguard.metadata.findings import Finding
from photoguard.text import json_text


@dataclass
class EncoderScore:
    """One encoder's verdict on one face."""

    encoder: str
    threshold: float
    held_out: bool
    as_written: float | None
    recompressed: float | None

    @property
    def recognised(self) -> tuple[bool | None, bool | None]:
        """Whether the protected face still matches the original (as written, after q75)."""

        def still(s: float | None) -> bool | None:
            return None if s is None else s >= self.threshold

        return still(self.as_written), still(self.recompressed)


@dataclass
class VerifyReport:
    """Everything ``photoguard verify`` prints."""

    original: str
    protected: str
    faces: list[dict] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)
    metadata_findings: list[Finding] | None = None
    metadata_error: str | None = None


def _score(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


def build_report(original: Path, protected: Path) -> VerifyReport:
    """Measure ``protected`` against ``original`` (see the module docstring).

    Raises:
        ImageError: either photo cannot be read, or their sizes differ.
    """
    from photoguard.channels import posted as platform
    from photoguard.config import DEFAULT_PRESET, PRESETS
    from photoguard.faces.detect import detect_faces
    from photoguard.imageio import open_image
    from photoguard.metadata import inspect_metadata
    from photoguard.models.encoders import ENCODERS
    from photoguard.models.face_encoder import load_encoder
    from photoguard.verify import can_judge, compare_identity, verdict_threshold

    before, after = open_image(original).rgb, open_image(protected).rgb
    if before.shape != after.shape:
        raise ImageError(
            f"{after.shape[1]}x{after.shape[0]} but the original is "
            f"{before.shape[1]}x{before.shape[0]}; compare a photo with its own protected copy",
            path=protected,
        )
    report = VerifyReport(str(original), str(protected))
    available = []
    for name in (n for n in ENCODERS if can_judge(n)):
        try:
            load_encoder(name, "cpu")
            available.append(name)
        except ModelError as exc:
            report.unavailable[name] = str(exc)
    faces = detect_faces(before)
    held_out = PRESETS[DEFAULT_PRESET].holdout
    if faces and available:
        enc = tuple(available)
        written = compare_identity(before, after, faces, enc)
        posted = compare_identity(before, platform(after, VERIFY_CHANNEL), faces, enc)
        for i, face in enumerate(faces):
            scores = [
                EncoderScore(
                    name,
                    round(verdict_threshold(name), 4),
                    name == held_out,
                    _score(written.similarity[name][i]),
                    _score(posted.similarity[name][i]),
                )
                for name in enc
            ]
            report.faces.append(
                {"face": i + 1, "box": [round(v) for v in face.box], "found_again": written.found[i], "scores": scores}
            )
    try:
        report.metadata_findings = inspect_metadata(protected).findings
    except PhotoguardError as exc:
        report.metadata_error = str(exc)
    return report


def _fmt(score: float | None, threshold: float) -> str:
    if score is None:
        return "face not found (protected)"
    return f"{score:5.2f}  {'RECOGNISED' if score >= threshold else 'not recognised'}"


def _print_text(report: VerifyReport) -> None:
    typer.echo(f"{report.protected} compared with {report.original}")
    if not report.faces:
        typer.echo("no face found in the original: nothing to compare")
    for face in report.faces:
        x0, y0, x1, y1 = face["box"]
        typer.echo(
            f"\nface {face['face']} at ({x0}, {y0})-({x1}, {y1}): similarity to the original face, "
            "same person at or above the threshold"
        )
        typer.echo(f"  {'encoder':<18} {'threshold':>9}   {'as written':<24} after {VERIFY_CHANNEL}")
        for s in face["scores"]:
            label = s.encoder + (" (held out)" if s.held_out else "")
            typer.echo(
                f"  {label:<18} {s.threshold:>9.2f}   {_fmt(s.as_written, s.threshold):<24} {_fmt(s.recompressed, s.threshold)}"
            )
    if report.faces:
        typer.echo("\n(held out): not used by the cloak, so its score is the honest one; the others were attacked.")
    for name, why in report.unavailable.items():
        typer.echo(f"{name}: not available ({why})")
    if report.metadata_error:
        typer.echo(f"\nmetadata: cannot be read ({report.metadata_error})")
    elif report.metadata_findings:
        typer.echo("\nmetadata left in the protected file:")
        for text in report.metadata_findings:
            typer.echo(f"  ! {text}")
    else:
        typer.echo("\nmetadata left in the protected file: nothing identifying")


@app.command("verify")
def verify_cmd(
    original: Path = typer.Argument(..., help="The photo before protection."),
    protected: Path = typer.Argument(..., help="Its protected copy."),
    as_json: bool = typer.Option(False, "--json", help="Print the measurements as JSON."),
) -> None:
    """Check how well a protected photo holds up: identity similarity under every face encoder,
    as written and after the JPEG recompression a platform applies, and what metadata remains."""
    report = build_report(original, protected)
    if as_json:
        data = asdict(report)
        for face in data["faces"]:
            for s in face["scores"]:
                s["recognised_as_written"] = None if s["as_written"] is None else s["as_written"] >= s["threshold"]
                s["recognised_after_jpeg"] = None if s["recompressed"] is None else s["recompressed"] >= s["threshold"]
        typer.echo(json_text(data))
    else:
        _print_text(report)
