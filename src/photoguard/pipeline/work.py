"""One photo between the stages of the pipeline: :class:`PhotoWork`, made by
:func:`~photoguard.pipeline.detect.detect`, cloaked by :mod:`~photoguard.pipeline.cloak`, checked
by :mod:`~photoguard.pipeline.verify` and turned into its result by :mod:`~photoguard.pipeline.result`.

:func:`~photoguard.protect` runs the stages on one photo; :func:`~photoguard.protect_many` runs
the detection of every photo, one batched cloak, then the rest of each photo.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from photoguard.config import CloakConfig
from photoguard.imageio import LoadedImage
from photoguard.pipeline.options import ProtectOptions
from photoguard.types import Face, FaceReport

if TYPE_CHECKING:
    import torch

#: ``progress(fraction, stage)``, called as the work advances.
Progress = Callable[[float, str], None]


@dataclass
class PhotoWork:
    """One photo in the pipeline.

    Attributes:
        loaded: the photo as decoded.
        options: what the call was told.
        device: where the cloak runs (the options' device, resolved).
        report_progress: the caller's progress callback (a no-op without one).
        timings: seconds per stage so far.
        start: when the work on this photo started (its loading included).
        lap_start: when the current stage started.
        faces: every face found, largest first.
        reports: one report per face, filled in stage by stage.
        usable: the indices of the faces large enough to cloak.
        base: what the cloak starts from: the photo, or the photo with the edit defence.
        edits: whether the edit defence was added.
        protected: the photo as protected so far.
    """

    loaded: LoadedImage
    options: ProtectOptions
    device: torch.device
    report_progress: Progress
    timings: dict[str, float]
    start: float
    lap_start: float
    faces: list[Face]
    reports: list[FaceReport]
    usable: list[int]
    base: np.ndarray
    edits: bool
    protected: np.ndarray

    @property
    def config(self) -> CloakConfig:
        """The cloak's config."""
        return self.options.config

    @property
    def quality(self) -> int | None:
        """The JPEG quality the photo will be written at; None for a lossless format."""
        return self.options.quality_for(self.loaded.format)

    def lap(self, stage: str) -> None:
        """Record the time since the last lap as ``stage``."""
        now = time.perf_counter()
        self.timings[stage] = now - self.lap_start
        self.lap_start = now

    def cloak_arguments(self) -> tuple[np.ndarray, list[Face], Progress]:
        """The cloak's arguments for this photo's usable faces (progress scaled into 0.1..0.85)."""
        report = self.report_progress
        return (self.base, [self.faces[i] for i in self.usable], lambda f, stage: report(0.1 + 0.75 * f, stage))
