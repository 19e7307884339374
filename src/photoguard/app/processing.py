"""Process one uploaded photo for the app: protect (or strip metadata only), write previews, and
word the report. No Gradio here, so it can be tested and reused directly.

Every error becomes a friendly message in :attr:`Outcome.error`; unexpected ones are logged with
their traceback on the server and never shown on the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from photoguard.app import report
from photoguard.app.previews import write_previews
from photoguard.config import PRESETS
from photoguard.errors import (
    CorruptImageError,
    ImageTooLargeError,
    ModelError,
    PhotoguardError,
    UnsupportedImageError,
)
from photoguard.imageio import DEFAULT_MAX_PIXELS

log = logging.getLogger("photoguard.app")

#: Choices shown in the app -> library preset (None: metadata only).
STRENGTHS: dict[str, str | None] = {**{name: name for name in PRESETS}, "metadata only": None}

Progress = Callable[[float, str], None]


@dataclass
class Outcome:
    """What happened to one uploaded file.

    Attributes:
        name: the file name as uploaded.
        markdown: the plain-language report for this file.
        output: the file the library wrote (the download), or None on error.
        before_after: paths of the before/after preview PNGs.
        face: paths of the face zoom before/after PNGs, when a face was found.
        error: a friendly message when the file could not be processed.
    """

    name: str
    markdown: str
    output: Path | None = None
    before_after: tuple[str, str] | None = None
    face: tuple[str, str] | None = None
    error: str | None = None


def friendly_error(exc: BaseException, name: str, path: str | Path | None = None) -> str:
    """A message for a person, without file-system paths, for an error raised on ``name``."""
    detail = str(exc)
    if path is not None:
        detail = detail.replace(str(path), name)
    if detail.startswith(f"{name}: "):
        detail = detail[len(name) + 2:]
    if isinstance(exc, ImageTooLargeError):
        return f"This photo is too large to process ({detail}). Please resize it and try again."
    if isinstance(exc, CorruptImageError):
        return "This file looks damaged or incomplete, so it cannot be opened. Try saving or exporting it again."
    if isinstance(exc, UnsupportedImageError):
        return "This is not a photo photoguard can read. Please upload a JPEG, PNG, WebP or HEIC image."
    if isinstance(exc, ModelError):
        return f"The face models are missing or damaged on the computer running photoguard: {detail}"
    if isinstance(exc, PhotoguardError):
        return f"This photo could not be processed: {detail}"
    return ("Something unexpected went wrong, and nothing was saved for this photo. "
            "The details were written to the log of the computer running photoguard.")


def _findings(path: Path) -> tuple[list[str], bool]:
    """Privacy findings of the original and whether it could be inspected at all."""
    from photoguard.metadata import inspect_metadata

    try:
        return inspect_metadata(path).findings, True
    except PhotoguardError:
        return [], False


def _protect(src: Path, folder: Path, strength: str, max_pixels: int, progress: Progress) -> Outcome:
    from photoguard.imageio import open_image
    from photoguard.pipeline import protect

    findings, inspected = _findings(src)
    out = folder / "out"
    out.mkdir(parents=True, exist_ok=True)  # an existing folder: protect() writes <stem><suffix> into it
    result = protect(src, strength=strength, output=out, max_pixels=max_pixels,
                     progress=lambda f, stage: progress(0.95 * f, stage))
    assert result.output_path is not None  # an output folder was given
    progress(0.95, "making previews")
    original = open_image(src, max_pixels=max_pixels).rgb
    box = result.faces[0].box if result.faces else None
    whole, face = write_previews(original, result.image, box, folder / "preview")
    markdown = report.protect_report(src.name, result, findings, strength=strength, inspected=inspected)
    return Outcome(src.name, markdown, result.output_path, whole, face)


def _metadata_only(src: Path, folder: Path, max_pixels: int, progress: Progress) -> Outcome:
    from photoguard.imageio import open_image
    from photoguard.metadata import strip_metadata

    progress(0.1, "reading")
    original = open_image(src, max_pixels=max_pixels).rgb  # validates the image and gives the preview
    findings, inspected = _findings(src)
    progress(0.4, "removing hidden data")
    dst = folder / "out" / src.name
    strip = strip_metadata(src, dst)
    progress(0.8, "making previews")
    whole, _ = write_previews(original, original, None, folder / "preview")
    markdown = report.metadata_only_report(src.name, findings, pixels=strip.pixels, out_name=dst.name, inspected=inspected)
    return Outcome(src.name, markdown, dst, whole, None)


def process_file(
    src: str | Path,
    folder: Path,
    choice: str,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: Progress | None = None,
) -> Outcome:
    """Protect one photo (or strip its metadata only) into ``folder``; never raises.

    Args:
        src: the uploaded file.
        folder: an empty folder for this file's output (``out/``) and previews (``preview/``).
        choice: a key of :data:`STRENGTHS`.
        max_pixels: refuse larger images.
        progress: ``(fraction, stage)`` callback.

    Returns:
        An :class:`Outcome`; ``outcome.error`` is set when the photo could not be processed.
    """
    src = Path(src)
    name = src.name
    report_progress = progress or (lambda fraction, stage: None)
    try:
        if choice not in STRENGTHS:
            raise ValueError(f"unknown choice {choice!r}")
        strength = STRENGTHS[choice]
        if strength is None:
            return _metadata_only(src, folder, max_pixels, report_progress)
        return _protect(src, folder, strength, max_pixels, report_progress)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message, never a traceback on the page
        if not isinstance(exc, PhotoguardError):
            log.exception("unexpected error while processing %s", src)
        else:
            log.info("%s: %s", name, exc)
        message = friendly_error(exc, name, src)
        return Outcome(name, report.error_report(name, message), error=message)
