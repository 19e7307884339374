"""``protect()``: load -> detect -> cloak -> verify -> encode -> strip -> write -> report.

The output keeps the input's format family: PNG for PNG, JPEG (quality 95, 4:4:4 chroma) for
JPEG and HEIC (HEIC encoders are lossy and rarely accepted by platforms), lossless WebP for
WebP, TIFF for TIFF. Pixels are written orientation-applied, with no metadata but the ICC
profile. A photo without a usable face is passed through the lossless metadata stripper only.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from photoguard.config import CloakConfig, preset
from photoguard.errors import UsageError
from photoguard.faces.detect import detect_faces
from photoguard.imageio import DEFAULT_MAX_PIXELS, LoadedImage, atomic_write_bytes, encode_image, open_image, to_tensor, to_uint8
from photoguard.metrics import crop, face_region_box, psnr
from photoguard.types import Face, FaceReport, ProtectResult

#: Output format for each input format.
OUTPUT_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "HEIF": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "TIFF": "TIFF", "BMP": "PNG", "GIF": "PNG"}
OUTPUT_SUFFIX = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif"}

Progress = Callable[[float, str], None]



def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; other values are passed to ``torch.device``."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda was asked for but no CUDA GPU is available (use --device auto or cpu)")
    return dev


def output_suffix(image_format: str) -> str:
    """File suffix (``.jpg``, ``.png``…) that :func:`protect` writes for an input format."""
    return OUTPUT_SUFFIX[OUTPUT_FORMAT.get(image_format, "PNG")]


_CLOAKS: dict[tuple[CloakConfig, str], object] = {}


def _get_cloak(config: CloakConfig, device: torch.device):
    from photoguard.cloak.identity import IdentityCloak

    key = (config, str(device))
    if key not in _CLOAKS:
        _CLOAKS.clear()  # keep one: encoders are cached separately, configs are cheap
        _CLOAKS[key] = IdentityCloak(config, device)
    return _CLOAKS[key]


def _verification(
    original: np.ndarray, protected: np.ndarray, faces: list[Face], reports: list[FaceReport], config: CloakConfig, device: torch.device
) -> None:
    from photoguard.verify import compare_identity, verdict_threshold

    idx = [r.index for r in reports if r.protected]
    if not idx:
        return
    held_out = config.holdout
    # the verdict needs the held-out encoder only; without one, how far the attacked ones moved
    encoders = (held_out,) if held_out is not None else tuple(config.attack_encoders)
    check = compare_identity(original, protected, [faces[i] for i in idx], encoders, str(device))
    for k, i in enumerate(idx):
        report = reports[i]
        report.similarity = {name: check.similarity[name][k] for name in encoders}
        if held_out is not None:
            report.verification_encoder = held_out
            sim = check.similarity[held_out][k]
            report.verification_similarity = 0.0 if math.isnan(sim) else sim
            report.verification_threshold = verdict_threshold(held_out)


def protect(
    source: str | os.PathLike | np.ndarray | LoadedImage,
    *,
    strength: str | CloakConfig = "medium",
    output: str | os.PathLike | None = None,
    device: str | torch.device = "auto",
    jpeg_quality: int = 95,
    keep_icc: bool = True,
    verify: bool = True,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: Progress | None = None,
) -> ProtectResult:
    """Cloak every face in a photo and (optionally) write it without metadata.

    Args:
        source: a path, an ``H x W x 3`` uint8 RGB array, or a :class:`LoadedImage`.
        strength: preset name (``fast``, ``medium``, ``strong``) or a :class:`CloakConfig`.
        output: file or folder to write to (a folder gets ``<stem><suffix>``); None writes nothing.
        device: ``auto``, ``cpu`` or ``cuda``.
        jpeg_quality: quality of JPEG outputs (never below 90: low quality erodes the cloak).
        keep_icc: keep the input's ICC colour profile.
        verify: measure the held-out encoder's similarity after protection (about 0.1 s a face).
        max_pixels: refuse larger images (decompression-bomb guard).
        progress: called with ``(fraction, stage)`` as the work advances.

    Returns:
        A :class:`ProtectResult`; ``result.image`` is the protected photo.

    Raises:
        ImageError: the input cannot be read; NoFaceError is never raised (see ``result.message``).
    """
    config = preset(strength)
    if not 90 <= jpeg_quality <= 100:
        raise UsageError("jpeg_quality must be 90..100: lower quality erodes the cloak")
    dev = resolve_device(device)
    report_progress = progress or (lambda fraction, stage: None)
    timings: dict[str, float] = {}
    start = time.perf_counter()

    def lap(stage: str, t0: float) -> float:
        now = time.perf_counter()
        timings[stage] = now - t0
        return now

    t = start
    report_progress(0.0, "loading")
    if isinstance(source, LoadedImage):
        loaded = source
    elif isinstance(source, np.ndarray):
        if source.ndim != 3 or source.shape[2] != 3 or source.dtype != np.uint8:
            raise UsageError(f"expected an H x W x 3 uint8 RGB array, got {source.shape} {source.dtype}")
        loaded = LoadedImage(rgb=source.copy(), format="PNG")
    else:
        loaded = open_image(source, max_pixels=max_pixels)
    t = lap("load", t)

    report_progress(0.05, "detecting faces")
    faces = detect_faces(loaded.rgb)
    t = lap("detect", t)
    reports = [FaceReport(index=i, box=f.box, score=f.score, protected=False) for i, f in enumerate(faces)]

    protected = loaded.rgb
    usable = [i for i, f in enumerate(faces) if f.size >= config.min_face_px]
    for i, f in enumerate(faces):
        if i not in usable:
            reports[i].reason = f"too small to protect: {f.size:.0f} px (minimum {config.min_face_px} px)"
    if usable:
        report_progress(0.1, f"cloaking {len(usable)} face(s)")
        cloak = _get_cloak(config, dev)
        image = to_tensor(loaded.rgb)
        out, outcomes = cloak(image, [faces[i] for i in usable])
        protected = to_uint8(out)
        for i, outcome in zip(usable, outcomes):
            reports[i].protected = outcome.cloaked
            reports[i].reason = outcome.reason
    t = lap("cloak", t)

    if verify and usable:
        report_progress(0.85, "verifying")
        _verification(loaded.rgb, protected, faces, reports, config, dev)
    t = lap("verify", t)

    result = ProtectResult(image=protected, faces=reports, timings=timings, psnr=psnr(loaded.rgb, protected))
    if faces:
        box = face_region_box(faces[0], loaded.rgb.shape)
        result.face_psnr = psnr(crop(loaded.rgb, box), crop(protected, box))

    if output is not None:
        report_progress(0.9, "writing")
        as_folder = str(output).endswith(("/", os.sep)) or Path(output).is_dir()
        result.output_path, result.metadata = _write(
            loaded, protected, Path(output), as_folder, bool(usable), jpeg_quality, keep_icc
        )
    t = lap("write", t)
    timings["total"] = time.perf_counter() - start
    result.message = _summary(result)
    report_progress(1.0, "done")
    return result


def _write(
    loaded: LoadedImage, protected: np.ndarray, output: Path, as_folder: bool, changed: bool, jpeg_quality: int, keep_icc: bool
) -> tuple[Path, object]:
    from photoguard.metadata import inspect_metadata, strip_bytes

    out_format = OUTPUT_FORMAT.get(loaded.format, "PNG")
    if as_folder:
        stem = loaded.source.stem if loaded.source else "protected"
        output = output / f"{stem}{OUTPUT_SUFFIX[out_format]}"
    if loaded.source is not None and loaded.source.exists() and output.resolve() == loaded.source.resolve():
        raise UsageError(f"{output}: refusing to overwrite the input")
    if not changed and loaded.source is not None:
        # No face cloaked: the lossless metadata strip keeps the original pixels bit for bit.
        original = loaded.source.read_bytes()
        try:
            data, report = strip_bytes(original, keep_icc=keep_icc, name=str(loaded.source))
            if output.suffix.lower() != Path(loaded.source).suffix.lower():
                output = output.with_suffix(Path(loaded.source).suffix)
            atomic_write_bytes(output, data)
            return output, report
        except Exception:  # unsupported container for lossless strip: fall back to re-encoding
            pass
    data = encode_image(
        protected, out_format, alpha=loaded.alpha, quality=jpeg_quality, icc_profile=loaded.icc_profile if keep_icc else None
    )
    data, report = strip_bytes(data, keep_icc=keep_icc, name=str(output))
    if loaded.source is not None:
        try:
            report.findings = inspect_metadata(loaded.source).findings
        except Exception:  # the source's container could not be inspected; the output is clean anyway
            pass
    report.pixels = f"re-encoded as {out_format}" + (f" (quality {jpeg_quality}, 4:4:4)" if out_format == "JPEG" else " (lossless)")
    report.orientation = "applied to the pixels"
    atomic_write_bytes(output, data)
    return output, report


def _summary(result: ProtectResult) -> str:
    if not result.faces:
        return "no face found: metadata stripped only"
    done = result.faces_protected
    line = f"{done} of {len(result.faces)} face(s) protected"
    held = [f for f in result.faces if f.verification_similarity is not None]
    if held:
        f = held[0]
        verdict = "still recognised" if f.still_recognised else "not recognised"
        line += (
            f"; {f.verification_encoder} (not used in the attack) sees similarity "
            f"{f.verification_similarity:.2f} to the original, same person above {f.verification_threshold:.2f}: {verdict}"
        )
    if result.face_psnr is not None and done:
        line += f"; face PSNR {result.face_psnr:.1f} dB"
    if done == 0 and result.faces:
        line += " (faces too small); metadata stripped only"
    return line
