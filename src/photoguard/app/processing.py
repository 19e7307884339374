"""Process one uploaded photo for the app: protect (or strip metadata only), write previews, and
keep what is needed to word the report in either language. No Gradio here, so it can be tested
and reused directly.

Every error becomes a :class:`Failure` (a message key and the error's message, which names no
file: the path an error is about is kept apart, in ``error.path``); unexpected ones are logged
with their traceback on the server and never shown on the page.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from photoguard.app import report
from photoguard.app.previews import FaceCrops, write_previews
from photoguard.app.strings import text
from photoguard.app.workspace import private_dir
from photoguard.config import DEFAULT_PRESET, PRESETS
from photoguard.errors import (
    CorruptImageError,
    ImageNotFoundError,
    ImageTooLargeError,
    ModelError,
    PhotoguardError,
    UnsupportedImageError,
)
from photoguard.imageio import DEFAULT_MAX_PIXELS
from photoguard.metadata.findings import Finding
from photoguard.pipeline.options import ProtectOptions
from photoguard.progress import Stage
from photoguard.types import ProtectResult, Verdict

log = logging.getLogger("photoguard.app")

#: Choices shown in the app -> library preset (None: metadata only).
STRENGTHS: dict[str, str | None] = {**{name: name for name in PRESETS}, "metadata only": None}

#: ``(fraction, stage)``; the stage is in the library's English (see :func:`strings.stage`).
Progress = Callable[[float, str], None]

_NO_PIXELS = np.zeros((0, 0, 3), np.uint8)


@dataclass(frozen=True)
class Failure:
    """Why a file could not be processed: a message key of :mod:`~photoguard.app.strings` and its detail."""

    key: str
    detail: str = ""

    def message(self, lang: str = "en") -> str:
        return text(lang, self.key, detail=self.detail)


@dataclass
class Outcome:
    """What happened to one uploaded file, enough to word it in any language.

    Attributes:
        name: the file name as uploaded.
        strength: the preset used, None for metadata only.
        result: what :func:`photoguard.protect` returned (its pixels dropped), when protected.
        findings: privacy findings of the original.
        inspected: False when the original's metadata could not be read.
        pixels: for metadata only, the strip's statement about the pixels.
        output: the file the library wrote (the download), or None on error.
        faces: every cloaked face at 100 %.
        failure: set when the photo could not be processed.
    """

    name: str
    strength: str | None = None
    result: ProtectResult | None = None
    findings: list[Finding] = field(default_factory=list)
    inspected: bool = True
    pixels: str = "bit-identical"
    output: Path | None = None
    faces: list[FaceCrops] = field(default_factory=list)
    failure: Failure | None = None

    @property
    def verdict(self) -> Verdict | None:
        """The held-out verdict; None for metadata only or an error."""
        return self.result.verdict if self.result is not None else None

    def headline(self, lang: str = "en") -> str:
        """The verdict in words (the first thing shown for this photo)."""
        if self.failure is not None:
            return text(lang, "verdict.error")
        if self.result is None:
            return text(lang, "verdict.metadata")
        return report.headline(self.result, lang)

    def why(self, lang: str = "en") -> str:
        """One sentence under the headline."""
        if self.failure is not None:
            return self.failure.message(lang)
        if self.result is None:
            return text(lang, "why.metadata")
        return report.why(self.result, lang)

    def markdown(self, lang: str = "en") -> str:
        """The full plain-language report for this photo."""
        if self.failure is not None:
            return report.error_report(self.name, self.failure.message(lang), lang)
        out_name = self.output.name if self.output is not None else self.name
        if self.result is None:
            return report.metadata_only_report(
                self.name, self.findings, pixels=self.pixels, out_name=out_name, inspected=self.inspected, lang=lang
            )
        return report.protect_report(
            self.name,
            self.result,
            self.findings,
            strength=self.strength or DEFAULT_PRESET,
            inspected=self.inspected,
            lang=lang,
        )


def failure_for(exc: BaseException) -> Failure:
    """The :class:`Failure` for an error raised on an uploaded photo: the error's message without
    the path it is about (the page names the photo by its uploaded name)."""
    detail = exc.message if isinstance(exc, PhotoguardError) else ""
    if isinstance(exc, ImageTooLargeError):
        return Failure("error.too large", detail)
    if isinstance(exc, CorruptImageError):
        return Failure("error.corrupt")
    if isinstance(exc, ImageNotFoundError):
        return Failure("error.missing")
    if isinstance(exc, UnsupportedImageError):
        return Failure("error.unsupported")
    if isinstance(exc, ModelError):
        return Failure("error.models", detail)
    if isinstance(exc, PhotoguardError):
        return Failure("error.other", detail)
    return Failure("error.unexpected")


def friendly_error(exc: BaseException, lang: str = "en") -> str:
    """A message for a person, without file-system paths, for an error raised on an uploaded photo."""
    return failure_for(exc).message(lang)


def _findings(path: Path) -> tuple[list[Finding], bool]:
    """Privacy findings of the original and whether it could be inspected at all."""
    from photoguard.metadata import inspect_metadata

    try:
        return inspect_metadata(path).findings, True
    except PhotoguardError:
        return [], False


def _protect(src: Path, folder: Path, options: ProtectOptions, progress: Progress) -> Outcome:
    from photoguard.imageio import open_image
    from photoguard.pipeline import protect_photo

    progress(0.0, Stage("reading"))
    findings, inspected = _findings(src)
    out = private_dir(folder / "out")  # an existing folder: protect() writes <stem><suffix> into it
    result = protect_photo(src, options, output=out, progress=lambda f, stage: progress(0.95 * f, stage))
    assert result.output_path is not None  # an output folder was given
    os.chmod(result.output_path, 0o600)
    progress(0.95, Stage("making previews"))
    original = open_image(src, max_pixels=options.max_pixels).rgb
    boxes = [(f.index, f.box) for f in result.faces if f.protected]
    faces = write_previews(original, result.image, boxes, folder / "preview")
    kept = dataclasses.replace(result, image=_NO_PIXELS)  # the outcome lives in the session: no pixels
    return Outcome(src.name, result.strength, kept, findings, inspected, output=result.output_path, faces=faces)


def _metadata_only(src: Path, folder: Path, max_pixels: int, progress: Progress) -> Outcome:
    from photoguard.imageio import open_image
    from photoguard.metadata import strip_metadata

    progress(0.1, Stage("reading"))
    open_image(src, max_pixels=max_pixels)  # refuses what is not a whole, readable photo
    findings, inspected = _findings(src)
    progress(0.4, Stage("removing hidden data"))
    dst = private_dir(folder / "out") / src.name
    strip = strip_metadata(src, dst)
    os.chmod(dst, 0o600)
    return Outcome(src.name, None, None, findings, inspected, strip.pixels, output=dst)


def process_file(
    src: str | Path,
    folder: Path,
    choice: str,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: Progress | None = None,
    edits: bool = False,
) -> Outcome:
    """Protect one photo (or strip its metadata only) into ``folder``; never raises.

    Args:
        src: the uploaded file.
        folder: an empty folder for this file's output (``out/``) and previews (``preview/``).
        choice: a key of :data:`STRENGTHS`.
        max_pixels: refuse larger images.
        progress: ``(fraction, stage)`` callback.
        edits: add the defence against diffusion editing (``against=("identity", "edits")``).

    Returns:
        An :class:`Outcome`; ``outcome.failure`` is set when the photo could not be processed.
    """
    src = Path(src)
    name = src.name
    report_progress = progress or (lambda fraction, stage: None)
    try:
        if choice not in STRENGTHS:
            raise ValueError(f"unknown choice {choice!r}")
        if not src.exists():
            return Outcome(name, failure=Failure("error.missing"))
        private_dir(folder)
        strength = STRENGTHS[choice]
        if strength is None:
            return _metadata_only(src, folder, max_pixels, report_progress)
        against = ("identity", "edits") if edits else ("identity",)
        options = ProtectOptions(strength=strength, against=against, max_pixels=max_pixels)
        return _protect(src, folder, options, report_progress)
    except Exception as exc:  # every failure becomes a message, never a traceback on the page
        if not isinstance(exc, PhotoguardError):
            log.exception("unexpected error while processing %s", src)
        else:
            log.info("%s: %s", name, exc)
        return Outcome(name, STRENGTHS.get(choice), failure=failure_for(exc))
