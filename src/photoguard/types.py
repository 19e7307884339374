"""Result types shared across the library, the CLI and the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass
class FaceReport:
    """What happened to one face.

    Attributes:
        index: position in the detector's output (largest first).
        box: the face box in pixels.
        protected: whether the cloak was applied to this face.
        reason: why not, when ``protected`` is False (e.g. ``"too small: 24 px"``).
        similarity: cosine similarity of the protected face to the original, per encoder.
        verification_encoder: the encoder left out of this face's attack, used for the honest score.
        verification_similarity: similarity of protected vs original under that encoder.
        verification_threshold: the similarity to the original at or above which the face counts as
            still recognised: that encoder's :attr:`~photoguard.models.encoders.EncoderSpec.photo_threshold`
            (where the person's other photos would sit at its 0.1 %-false-accept threshold) minus
            :data:`photoguard.pipeline.VERDICT_MARGIN`.
    """

    index: int
    box: tuple[float, float, float, float]
    score: float
    protected: bool
    reason: str | None = None
    similarity: dict[str, float] = field(default_factory=dict)
    verification_encoder: str | None = None
    verification_similarity: float | None = None
    verification_threshold: float | None = None

    @property
    def still_recognised(self) -> bool | None:
        """True when the held-out encoder still matches the original; None if not measured."""
        if self.verification_similarity is None or self.verification_threshold is None:
            return None
        return self.verification_similarity >= self.verification_threshold


@dataclass
class ProtectResult:
    """The outcome of :func:`photoguard.protect`.

    Attributes:
        image: the protected photo, ``H x W x 3`` uint8 RGB (orientation applied).
        faces: one report per detected face, largest first.
        timings: seconds per stage (``load``, ``detect``, ``cloak``, ``verify``, ``write``, ``total``).
        psnr: whole-photo PSNR of protected vs original, dB (inf when unchanged).
        face_psnr: PSNR over the largest face box plus 20 % margin, dB, or None.
        output_path: where the file was written, when an output was requested.
        metadata: the metadata strip report for the written file, when one was written.
        message: one human-readable line summarising the result.
    """

    image: np.ndarray
    faces: list[FaceReport]
    timings: dict[str, float]
    psnr: float
    face_psnr: float | None = None
    output_path: Path | None = None
    metadata: Any = None
    message: str = ""

    @property
    def faces_protected(self) -> int:
        return sum(f.protected for f in self.faces)
