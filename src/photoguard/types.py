"""Result types shared across the library, the CLI and the app."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photoguard.keyed import Keyed

if TYPE_CHECKING:  # annotations only: `photoguard strip` starts without numpy
    import numpy as np


@dataclass(frozen=True)
class Face:
    """One detected face in the (orientation-corrected) image.

    Attributes:
        box: ``(x0, y0, x1, y1)`` in pixels.
        landmarks: ``5 x 2`` float32 pixel coordinates: left eye, right eye, nose tip,
            left mouth corner, right mouth corner (as seen in the image).
        score: detector confidence in [0, 1].
    """

    box: tuple[float, float, float, float]
    landmarks: np.ndarray
    score: float

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def size(self) -> float:
        """Geometric mean of the box sides, in pixels."""
        return float((max(self.width, 0.0) * max(self.height, 0.0)) ** 0.5)


class FaceStatus(StrEnum):
    """What the held-out check says about one face."""

    PROTECTED = "protected"  #: cloaked, and the held-out encoder no longer matches it to the original
    RECOGNISED = "still recognised"  #: cloaked, but the held-out encoder still matches it
    NOT_FOUND = "not found again"  #: cloaked, but the detector did not find it again, so it was not checked
    NOT_CHECKED = "not checked"  #: cloaked; the check was switched off or has no held-out encoder
    NOT_CLOAKED = "not cloaked"  #: left as it was (too small); see :attr:`FaceReport.reason`


#: Why a face was left as it was: reason key -> its English words (``{placeholders}`` from its values).
FACE_REASONS: dict[str, str] = {
    "too small": "too small to protect: {px} px (minimum {min} px)",
}


class FaceReason(Keyed):
    """Why a face was left as it was (:attr:`FaceReport.reason`): ``FaceReason(key, **values)``,
    ``key`` in :data:`FACE_REASONS`; a ``str`` (the English words), whose key and values let the
    app and the CLI word it in their own way.

    Example:
        >>> reason = FaceReason("too small", px=24, min=40)
        >>> str(reason), reason.key, reason.values["px"]
        ('too small to protect: 24 px (minimum 40 px)', 'too small', 24)
    """

    WORDS = FACE_REASONS


#: Face JOD (ColorVideoVDP, 10 = indistinguishable) at or above which a cloak is "hard to see":
#: shown side by side at 100 %, about 61 % of people would pick the original (50 % is chance).
HARD_TO_SEE_JOD = 9.5
#: Face JOD at or above which a cloak is only "visible on close inspection" (below: "visible").
CLOSE_LOOK_JOD = 9.0


class Visibility(StrEnum):
    """How visible one face's cloak is, from a model of human vision (ColorVideoVDP's JOD of the
    face region as written, on a 4K monitor at 100 %); the one key the CLI and the app word."""

    HARD_TO_SEE = "hard to see"  #: JOD >= :data:`HARD_TO_SEE_JOD`
    CLOSE_LOOK = "visible on close inspection"  #: :data:`CLOSE_LOOK_JOD` <= JOD < :data:`HARD_TO_SEE_JOD`
    VISIBLE = "visible"  #: JOD < :data:`CLOSE_LOOK_JOD`
    NOT_MEASURED = "not measured"  #: no JOD for this face: say nothing about its visibility


def visibility_of(jod: float | None) -> Visibility:
    """The :class:`Visibility` of a face JOD (None: not measured).

    Example:
        >>> visibility_of(9.6), visibility_of(9.2), visibility_of(8.7), visibility_of(None)
        (<Visibility.HARD_TO_SEE: 'hard to see'>, <Visibility.CLOSE_LOOK: 'visible on close inspection'>, <Visibility.VISIBLE: 'visible'>, <Visibility.NOT_MEASURED: 'not measured'>)
    """
    if jod is None:
        return Visibility.NOT_MEASURED
    if jod >= HARD_TO_SEE_JOD:
        return Visibility.HARD_TO_SEE
    return Visibility.CLOSE_LOOK if jod >= CLOSE_LOOK_JOD else Visibility.VISIBLE


def shown_jod(jod: float) -> str:
    """A face JOD as shown beside its words: one decimal, rounded down, so that the number never
    reads as the next word's threshold (8.96 is "visible": "8.9", not "9.0").

    Example:
        >>> shown_jod(8.963), shown_jod(9.72), shown_jod(9.5)
        ('8.9', '9.7', '9.5')
    """
    return f"{math.floor(jod * 10 + 1e-9) / 10:.1f}"


class Verdict(StrEnum):
    """The held-out check's answer for a whole photo: the first word of every result."""

    PROTECTED = "protected"  #: every face is cloaked and checked protected
    PARTLY = "partly protected"  #: some faces are, others are not (or could not be checked)
    NOT_PROTECTED = "not protected"  #: no face is checked protected
    NOT_CHECKED = "not checked"  #: faces were cloaked, but none could be checked
    TOO_SMALL = "too small"  #: every face found is too small to cloak; left as it was, metadata stripped only
    NO_FACE = "no face"  #: nothing to cloak; metadata stripped only


def photo_verdict(faces: list[FaceReport]) -> Verdict:
    """The photo's :class:`Verdict` from its faces' :attr:`FaceReport.status`.

    Example:
        >>> photo_verdict([])
        <Verdict.NO_FACE: 'no face'>
    """
    if not faces:
        return Verdict.NO_FACE
    statuses = [f.status for f in faces]
    safe = statuses.count(FaceStatus.PROTECTED)
    if safe == len(faces):
        return Verdict.PROTECTED
    if safe:
        return Verdict.PARTLY
    if all(s is FaceStatus.NOT_CLOAKED for s in statuses):
        return Verdict.TOO_SMALL  # a stronger setting would not change it: its own case, never "try strong"
    if all(s in (FaceStatus.NOT_CHECKED, FaceStatus.NOT_FOUND) for s in statuses):
        return Verdict.NOT_CHECKED
    return Verdict.NOT_PROTECTED


@dataclass
class FaceReport:
    """What happened to one face.

    Attributes:
        index: position in the detector's output (largest first).
        box: the face box in pixels.
        protected: whether the cloak was applied to this face.
        reason: why not, when ``protected`` is False: a :class:`FaceReason` (``too small to protect:
            24 px (minimum 40 px)``, key ``"too small"``).
        similarity: cosine similarity of the protected face to the original, per encoder.
        verification_encoder: the encoder left out of this face's attack, used for the honest score.
        verification_similarity: similarity of protected vs original under that encoder (None when
            not measured, or when the face was not found again: see ``found_again``).
        verification_threshold: the similarity to the original at or above which the face counts as
            still recognised: that encoder's :attr:`~photoguard.models.encoders.EncoderSpec.photo_threshold`
            (where the person's other photos would sit at its 0.1 %-false-accept threshold) minus
            :data:`photoguard.verify.VERDICT_MARGIN`, so a face just under the encoder's own limit
            already counts as recognised.
        found_again: whether the detector found the protected face again (None: not checked).
        visibility_jod: how visible the cloak is, measured: ColorVideoVDP's JOD (10 = indistinguishable,
            one less = 75 % of people prefer the original) of this face's region (box + 20 %) in the
            file as written against the original, on a 4K monitor at 100 %; None when not measured.
        phone_jod: the same on a phone showing the photo 1080 px wide; None when not measured.
    """

    index: int
    box: tuple[float, float, float, float]
    score: float
    protected: bool
    reason: FaceReason | None = None
    similarity: dict[str, float] = field(default_factory=dict)
    verification_encoder: str | None = None
    verification_similarity: float | None = None
    verification_threshold: float | None = None
    found_again: bool | None = None
    visibility_jod: float | None = None
    phone_jod: float | None = None

    @property
    def visibility(self) -> Visibility:
        """How visible this face's cloak is (:func:`visibility_of` its :attr:`visibility_jod`)."""
        return visibility_of(self.visibility_jod)

    @property
    def still_recognised(self) -> bool | None:
        """True when the held-out encoder still matches the original; None if not measured."""
        if self.verification_similarity is None or self.verification_threshold is None:
            return None
        return self.verification_similarity >= self.verification_threshold

    @property
    def status(self) -> FaceStatus:
        """This face's :class:`FaceStatus`."""
        if not self.protected:
            return FaceStatus.NOT_CLOAKED
        if self.found_again is False:
            return FaceStatus.NOT_FOUND
        recognised = self.still_recognised
        if recognised is None:
            return FaceStatus.NOT_CHECKED
        return FaceStatus.RECOGNISED if recognised else FaceStatus.PROTECTED


@dataclass
class ProtectResult:
    """The outcome of :func:`photoguard.protect`.

    Its ``repr`` names the photo's size instead of printing its pixels.

    Attributes:
        image: the protected photo, ``H x W x 3`` uint8 RGB (orientation applied).
        faces: one report per detected face, largest first.
        timings: seconds per stage (``load``, ``detect``, ``cloak``, ``verify``, ``write``, ``total``).
        psnr: whole-photo PSNR of protected vs original, dB (inf when unchanged).
        face_psnr: PSNR over the largest face box plus 20 % margin, dB, or None.
        output_path: where the file was written, when an output was requested.
        metadata: the metadata strip report for the written file, when one was written.
        strength: the preset used (``fast``, ``medium``, ``strong``; ``custom`` for another config).
        edits: whether the defence against diffusion editing was added (:mod:`photoguard.edits`).
        details: what was done and measured, in one line (faces cloaked, the held-out similarity,
            face PSNR).
        message: ``"<headline>: <details>"``, the one line to show.
    """

    image: np.ndarray = field(repr=False)
    faces: list[FaceReport]
    timings: dict[str, float]
    psnr: float
    face_psnr: float | None = None
    output_path: Path | None = None
    metadata: Any = None
    strength: str = "custom"
    edits: bool = False
    details: str = ""
    message: str = ""

    def __repr__(self) -> str:
        shape = "x".join(str(n) for n in getattr(self.image, "shape", ()))
        fields = ", ".join(
            f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self) if f.repr and f.name != "image"
        )
        return f"ProtectResult(image=<{shape} {getattr(self.image, 'dtype', '?')} pixels>, {fields})"

    @property
    def faces_protected(self) -> int:
        """Faces the cloak was applied to (checked or not)."""
        return sum(f.protected for f in self.faces)

    @property
    def faces_safe(self) -> int:
        """Faces the held-out check found protected."""
        return sum(f.status is FaceStatus.PROTECTED for f in self.faces)

    @property
    def verdict(self) -> Verdict:
        """The held-out check's answer for the photo (see :func:`photo_verdict`)."""
        return photo_verdict(self.faces)

    @property
    def visibility_jod(self) -> float | None:
        """The JOD of the most visible cloaked face measured (the lowest), or None when none was."""
        measured = [f.visibility_jod for f in self.faces if f.protected and f.visibility_jod is not None]
        return min(measured) if measured else None

    @property
    def visibility(self) -> Visibility:
        """How visible the cloak is on its most visible face (:attr:`visibility_jod`);
        :attr:`Visibility.NOT_MEASURED` when no cloaked face was measured."""
        return visibility_of(self.visibility_jod)

    @property
    def headline(self) -> str:
        """The verdict in words: ``protected``, ``partly protected (2 of 3 faces)``,
        ``not protected (try strong)``, ``not checked``, ``too small to cloak`` or ``no face``."""
        verdict = self.verdict
        if verdict is Verdict.PARTLY:
            return f"{verdict} ({self.faces_safe} of {len(self.faces)} faces)"
        if verdict is Verdict.NOT_PROTECTED and self.strength != "strong":
            return f"{verdict} (try strong)"
        if verdict is Verdict.TOO_SMALL:
            return "too small to cloak"
        return str(verdict)
