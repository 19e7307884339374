"""Stage 5, result: a verified photo's :class:`~photoguard.types.ProtectResult` (nothing written
yet), with :attr:`~photoguard.types.ProtectResult.details`, the one line the CLI shows after the
verdict."""

from __future__ import annotations

import math
import time

from photoguard.metrics import crop, face_region_box, psnr
from photoguard.pipeline.work import PhotoWork
from photoguard.types import FaceReason, FaceReport, ProtectResult, shown_jod


def result_of(work: PhotoWork) -> ProtectResult:
    """The result of a photo that went through the cloak and the check (its ``write`` timing 0 until written)."""
    loaded, protected, faces = work.loaded, work.protected, work.faces
    timings = work.timings
    result = ProtectResult(
        image=protected,
        faces=work.reports,
        timings=timings,
        psnr=psnr(loaded.rgb, protected),
        strength=work.options.strength_name,
        edits=work.edits,
    )
    if faces:
        box = face_region_box(faces[0], loaded.rgb.shape)
        result.face_psnr = psnr(crop(loaded.rgb, box), crop(protected, box))
    timings["write"] = 0.0
    timings["total"] = time.perf_counter() - work.start
    result.details = details(result)
    result.message = f"{result.headline}: {result.details}"
    return result


def details(result: ProtectResult) -> str:
    """What was done and measured, for :attr:`ProtectResult.details`: faces cloaked, the held-out
    similarity, faces left alone (worded from their :class:`~photoguard.types.FaceReason`), face
    PSNR, the measured visibility, the edit defence."""
    edits = f"edit defence added (photo PSNR {result.psnr:.1f} dB)" if result.edits else None
    if not result.faces:
        return edits or "metadata stripped only"
    done = result.faces_protected
    parts = [f"{done} of {len(result.faces)} face(s) cloaked"]
    checked = [f for f in result.faces if f.verification_similarity is not None]
    if checked:
        worst = max(checked, key=lambda f: f.verification_similarity or 0.0)
        which = "" if len(checked) == 1 else "highest "
        parts.append(
            f"{worst.verification_encoder} (not used in the attack) sees {which}similarity "
            f"{worst.verification_similarity:.2f} to the original, the same person from {worst.verification_threshold:.2f}"
        )
    lost = sum(f.found_again is False for f in result.faces)
    if lost:
        parts.append(f"{lost} face(s) not found again by the detector, so not checked")
    small = [f for f in result.faces if not f.protected]
    if small:
        sizes = ", ".join(str(_px(f)) for f in small)
        parts.append(f"{len(small)} face(s) too small to cloak ({sizes} px; left as they are)")
    if result.face_psnr is not None and done:
        parts.append(f"face PSNR {result.face_psnr:.1f} dB")
    if result.visibility_jod is not None:  # words only from a measurement
        parts.append(f"cloak {result.visibility} ({shown_jod(result.visibility_jod)} JOD)")
    if edits:
        parts.append(edits)
    elif done == 0:
        parts.append("metadata stripped only")
    return "; ".join(parts)


def _px(face: FaceReport) -> int:
    """The size in px of a face left alone: its :class:`~photoguard.types.FaceReason`'s, else its box's
    (a report made by hand)."""
    if isinstance(face.reason, FaceReason) and face.reason.key == "too small":
        return int(face.reason.values["px"])
    x0, y0, x1, y1 = face.box
    return round(math.sqrt(max(x1 - x0, 0) * max(y1 - y0, 0)))
