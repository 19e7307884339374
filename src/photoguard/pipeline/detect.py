"""Stage 2, detect: find the faces of a loaded photo and which of them are large enough to cloak
(:meth:`~photoguard.config.CloakConfig.too_small`, the cloak's own rule); with ``"edits"``, add the
edit defence over the rest of the photo."""

from __future__ import annotations

import time

from photoguard.faces.detect import detect_faces
from photoguard.imageio import LoadedImage
from photoguard.pipeline.options import ProtectOptions
from photoguard.pipeline.work import PhotoWork, Progress
from photoguard.progress import Stage
from photoguard.types import FaceReport


def detect(
    loaded: LoadedImage, options: ProtectOptions, progress: Progress | None, *, load_seconds: float
) -> PhotoWork:
    """The photo's :class:`~photoguard.pipeline.work.PhotoWork`: its faces found, each usable or
    left alone with its reason, and the edit defence added when asked for.

    Raises:
        UsageError: the options' device is not available.
    """
    device = options.torch_device()
    report_progress = progress or (lambda fraction, stage: None)
    start = time.perf_counter() - load_seconds

    t = time.perf_counter()
    report_progress(0.05, Stage("detecting faces"))
    faces = detect_faces(loaded.rgb)
    reports = [FaceReport(index=i, box=f.box, score=f.score, protected=False) for i, f in enumerate(faces)]
    usable = []
    for i, face in enumerate(faces):
        reports[i].reason = options.config.too_small(face)
        if reports[i].reason is None:
            usable.append(i)
    rgb = loaded.rgb
    work = PhotoWork(
        loaded,
        options,
        device,
        report_progress,
        {"load": load_seconds},
        start,
        t,
        faces,
        reports,
        usable,
        rgb,
        False,
        rgb,
    )
    work.lap("detect")
    if options.edits is not None:
        add_edit_defence(work)
    return work


def add_edit_defence(work: PhotoWork) -> None:
    """The edit defence over the whole photo but the faces the cloak takes care of (:mod:`photoguard.edits`)."""
    from photoguard.edits.pattern import protect_edits
    from photoguard.imageio import to_tensor, to_uint8

    assert work.options.edits is not None
    work.report_progress(0.06, Stage("adding the edit defence"))
    spared = [work.faces[i].box for i in work.usable]
    work.base = work.protected = to_uint8(protect_edits(to_tensor(work.base), work.options.edits, faces=spared))
    work.edits = True
    work.lap("edits")
