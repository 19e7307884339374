"""``protect()``: load -> detect -> cloak -> verify -> encode -> strip -> write -> report.

The output keeps the input's format family (:data:`photoguard.formats.OUTPUT_FORMAT`): PNG for
PNG, JPEG (quality 95, 4:4:4 chroma) for JPEG and HEIC, lossless WebP for WebP, TIFF for TIFF.
Pixels are written orientation-applied, with no metadata but the ICC profile. A photo without a
usable face is passed through the lossless metadata stripper only, in its own format.
:func:`protect_bytes` does the same in memory.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from PIL import Image

from photoguard.config import PRESETS, CloakConfig, preset
from photoguard.edits.config import AGAINST, DEFAULT_AGAINST, DEFAULT_EDIT_STRENGTH, EditConfig, edit_preset
from photoguard.errors import PhotoguardError, UnsupportedFormatError, UnsupportedImageError, UsageError
from photoguard.faces.detect import detect_faces
from photoguard.fileio import refuse_overwrite
from photoguard.formats import output_format, output_name, output_suffix, suffix_format, wrong_name
from photoguard.imageio import (
    DEFAULT_MAX_PIXELS,
    LoadedImage,
    atomic_write_bytes,
    decode_image,
    encode_image,
    from_pil,
    open_image,
)
from photoguard.metrics import crop, face_region_box, psnr
from photoguard.progress import Stage
from photoguard.types import Face, FaceReport, ProtectResult

if TYPE_CHECKING:  # the cloak (and torch's model code) loads on the first protect()
    from photoguard.cloak.identity import FaceOutcome, IdentityCloak

Progress = Callable[[float, str], None]

#: What :func:`protect` reads: a path, encoded bytes, a PIL image, an ``H x W x 3`` uint8 RGB array
#: or a :class:`~photoguard.imageio.LoadedImage`.
Source = str | os.PathLike[str] | bytes | Image.Image | np.ndarray | LoadedImage


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; other values are passed to ``torch.device``."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise UsageError(f"device {device!r} was asked for but no CUDA GPU is available (use 'auto' or 'cpu')")
    return dev


def _against(against: Sequence[str]) -> tuple[str, ...]:
    """``against`` checked: known names, ``identity`` among them (the edit defence is added to the cloak)."""
    names = tuple(dict.fromkeys(against))
    unknown = [a for a in names if a not in AGAINST]
    if unknown:
        raise UsageError(f"unknown protection {unknown[0]!r}; choose among {', '.join(AGAINST)}")
    if "identity" not in names:
        raise UsageError("the edit defence is added to the identity cloak: against must include 'identity'")
    return names


__all__ = ["AGAINST", "Source", "output_suffix", "protect", "protect_bytes", "release_models", "resolve_device"]


_CLOAKS: dict[tuple[CloakConfig, str], IdentityCloak] = {}
_CLOAKS_LOCK = threading.Lock()


def _get_cloak(config: CloakConfig, device: torch.device) -> IdentityCloak:
    """The cloak for ``config`` on ``device``, built once (two threads asking at once get one)."""
    from photoguard.cloak.identity import IdentityCloak

    key = (config, str(device))
    with _CLOAKS_LOCK:
        if key not in _CLOAKS:
            _CLOAKS.clear()  # keep one: encoders are cached separately, configs are cheap
            _CLOAKS[key] = IdentityCloak(config, device)
        return _CLOAKS[key]


def release_models() -> None:
    """Forget the cached cloak and every cached encoder (their memory, GPU memory included, is freed
    once nothing else holds them); the next :func:`protect` loads them again."""
    from photoguard.models.face_encoder import release_encoders

    with _CLOAKS_LOCK:
        _CLOAKS.clear()
    release_encoders()


def _verification(
    original: np.ndarray,
    protected: np.ndarray,
    faces: list[Face],
    reports: list[FaceReport],
    config: CloakConfig,
    device: torch.device,
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
            report.found_again = check.found[k]
            sim = check.similarity[held_out][k]
            # not found again: a bot using another detector may still find it, so it stays unchecked
            report.verification_similarity = None if math.isnan(sim) else sim
            report.verification_threshold = verdict_threshold(held_out)


def _load(source: Source, max_pixels: int, name: str = "<bytes>") -> tuple[LoadedImage, bytes | None]:
    """The decoded photo and, when the caller gave them, its encoded bytes (for the lossless strip);
    ``name`` names bytes in errors."""
    if isinstance(source, LoadedImage):
        return source, None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return _single_frame(decode_image(data, max_pixels=max_pixels, name=name), name), data
    if isinstance(source, Image.Image):
        return from_pil(source, max_pixels=max_pixels), None
    if isinstance(source, np.ndarray):
        if source.ndim != 3 or source.shape[2] != 3 or source.dtype != np.uint8:
            raise UsageError(f"expected an H x W x 3 uint8 RGB array, got {source.shape} {source.dtype}")
        return LoadedImage(rgb=source.copy(), format="PNG"), None
    if isinstance(source, (str, os.PathLike)):
        return _single_frame(open_image(source, max_pixels=max_pixels)), None
    raise UsageError(
        f"protect() reads a path, bytes, a PIL image, an H x W x 3 uint8 array or a LoadedImage, "
        f"not {type(source).__name__}"
    )


def _single_frame(loaded: LoadedImage, name: str = "the image") -> LoadedImage:
    """``loaded``, unless its file has several frames or pages: a face in frame 2 would be passed on
    uncloaked (the strip keeps every frame; the re-encode keeps only the first), so it is refused.

    Raises:
        UnsupportedImageError: an animated PNG/WebP/GIF or a multi-page TIFF.
    """
    if loaded.frames > 1:
        raise UnsupportedImageError(
            f"{loaded.frames} frames or pages (animated or multi-page); photoguard "
            "protects single pictures: save the frame or page you want to post as its own file",
            path=loaded.source or name,
        )
    return loaded


def _names_folder(output: str | os.PathLike[str]) -> bool:
    """Whether ``output`` is a folder (an existing one, or a name ending in a separator)."""
    return str(output).endswith(("/", os.sep)) or Path(output).is_dir()


def _target(output: str | os.PathLike[str], loaded: LoadedImage, written: str, lossless: bool) -> Path:
    """The file to write for ``output``: a folder gets ``<stem><suffix>``; a named file must carry
    the suffix of the ``written`` format, except that a lossless copy (no face cloaked) named as
    the cloaked photo would be keeps the input's own suffix (a face-free HEIC stays ``.heic``).

    Raises:
        UsageError: the name's suffix names another format, or it has none.
    """
    path = Path(output)
    if _names_folder(output):
        return path / output_name(loaded.source.name if loaded.source else "protected", written)
    named = suffix_format(path)
    if named == written:
        return path
    if lossless and named == output_format(loaded.format):
        return path.with_suffix(_suffix(loaded, written))
    raise wrong_name(path, written, _suffix(loaded, written))


def _check_name(output: str | os.PathLike[str], loaded: LoadedImage) -> None:
    """Refuse, before any work, an output name whose suffix fits neither format it could be written in."""
    path = Path(output)
    if _names_folder(output):
        return
    if suffix_format(path) not in (output_format(loaded.format), loaded.format):
        raise wrong_name(path, output_format(loaded.format))


def _suffix(loaded: LoadedImage, written: str) -> str:
    """The suffix for a file in ``written`` format: the input's own spelling when it names that format."""
    return output_name(loaded.source or "protected", written).suffix


def protect(
    source: Source,
    *,
    strength: str | CloakConfig = "medium",
    against: Sequence[str] = DEFAULT_AGAINST,
    edit_strength: str | EditConfig = DEFAULT_EDIT_STRENGTH,
    output: str | os.PathLike[str] | None = None,
    device: str | torch.device = "auto",
    jpeg_quality: int = 95,
    keep_icc: bool = True,
    verify: bool = True,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: Progress | None = None,
    overwrite: bool | None = None,
) -> ProtectResult:
    """Cloak every face in a photo and (optionally) write it without metadata.

    Args:
        source: a path, encoded bytes, a PIL image, an ``H x W x 3`` uint8 RGB array, or a
            :class:`LoadedImage` (never modified).
        strength: preset name (``fast``, ``medium``, ``strong``) or a :class:`CloakConfig`.
        against: what to defend against: ``("identity",)`` (default) or ``("identity", "edits")``,
            which adds the whole-photo defence against diffusion editing (:mod:`photoguard.edits`).
        edit_strength: the edit defence's strength (``low``, ``medium``, ``strong``) or an
            :class:`~photoguard.edits.config.EditConfig`; used with ``"edits"`` only.
        output: file or folder to write to (a folder gets ``<stem><suffix>``); None writes nothing
            (:func:`protect_bytes` returns the file's bytes instead). A named file must end in the
            suffix of the format written (see :func:`_target`).
        device: ``auto``, ``cpu`` or ``cuda``.
        jpeg_quality: quality of JPEG outputs (never below 90: low quality erodes the cloak).
        keep_icc: keep the input's ICC colour profile.
        verify: measure the held-out encoder's similarity after protection (about 0.1 s a face).
        max_pixels: refuse photos with more pixels than this (default: the 100 MP limit,
            :data:`~photoguard.imageio.DEFAULT_MAX_PIXELS`).
        progress: called with ``(fraction, stage)`` as the work advances.
        overwrite: whether a file already at the path written may be replaced: None (default)
            only when ``output`` names that file itself, never a name made inside a folder (a
            ``photo.HEIC`` written as ``photo.jpg`` must not replace another ``photo.jpg``); True
            always; False never.

    Returns:
        A :class:`ProtectResult`: ``result.verdict`` first, ``result.image`` the protected photo.

    Raises:
        ImageError: the input cannot be read.
        UsageError: a bad option, or an output name whose suffix names another format.
        OutputExistsError: the file to write exists and may not be replaced (see ``overwrite``).
        MetadataError: the written file would still hold identifying metadata (nothing is written).
    """
    loaded, data, result = _load_and_protect(
        source, output, strength, against, edit_strength, device, jpeg_quality, verify, max_pixels, progress
    )
    if output is not None:
        _write(output, loaded, data, result, jpeg_quality, keep_icc, progress, overwrite=overwrite)
    if progress is not None:
        progress(1.0, Stage("done"))
    return result


def _load_and_protect(
    source: Source,
    output: str | os.PathLike[str] | None,
    strength: str | CloakConfig,
    against: Sequence[str],
    edit_strength: str | EditConfig,
    device: str | torch.device,
    jpeg_quality: int,
    verify: bool,
    max_pixels: int,
    progress: Progress | None,
    name: str = "<bytes>",
) -> tuple[LoadedImage, bytes | None, ProtectResult]:
    """:func:`protect` and :func:`protect_bytes` up to the file: decode ``source``, check the
    ``output`` name (when there is one) before the work, then detect, cloak and verify."""
    loaded, data, load_seconds = _load_for(source, output, max_pixels, name)
    result = _protect(
        loaded,
        strength,
        device,
        jpeg_quality,
        verify,
        progress,
        load_seconds=load_seconds,
        against=against,
        edit_strength=edit_strength,
    )
    return loaded, data, result


def _load_for(
    source: Source, output: str | os.PathLike[str] | None, max_pixels: int, name: str = "<bytes>"
) -> tuple[LoadedImage, bytes | None, float]:
    """``(photo, its bytes or None, seconds)``: ``source`` decoded (:func:`_load`) and the
    ``output`` name, when there is one, checked against its format before any work."""
    t0 = time.perf_counter()
    loaded, data = _load(source, max_pixels, name)
    if output is not None:
        _check_name(output, loaded)
    return loaded, data, time.perf_counter() - t0


def _write(
    output: str | os.PathLike[str],
    loaded: LoadedImage,
    data: bytes | None,
    result: ProtectResult,
    jpeg_quality: int,
    keep_icc: bool,
    progress: Progress | None,
    taken: set[Path] | None = None,
    *,
    overwrite: bool | None = None,
) -> None:
    """Encode, strip and atomically write ``result`` to ``output`` (sets its path, metadata, timings).

    Args:
        taken: files already written by the caller's batch: refused, and the new one is added.
        overwrite: as for :func:`protect`.

    Raises:
        UsageError: the target is the input itself, or one in ``taken``.
        OutputExistsError: the target exists and may not be replaced.
    """
    t0 = time.perf_counter()
    if progress is not None:
        progress(0.9, Stage("writing"))
    encoded, result.metadata, lossless = _encode(loaded, data, result, jpeg_quality, keep_icc)
    target = _target(output, loaded, loaded.format if lossless else output_format(loaded.format), lossless)
    if loaded.source is not None:
        refuse_overwrite(target, loaded.source)
    if taken is not None:
        if target.resolve() in taken:
            raise UsageError(
                f"{target}: already written by an earlier photo of this batch (give each photo its own name)"
            )
        taken.add(target.resolve())
    replace = overwrite if overwrite is not None else not _names_folder(output)
    result.output_path = atomic_write_bytes(target, encoded, replace=replace)
    result.timings["write"] = time.perf_counter() - t0
    result.timings["total"] += result.timings["write"]


def protect_bytes(
    source: Source,
    *,
    strength: str | CloakConfig = "medium",
    against: Sequence[str] = DEFAULT_AGAINST,
    edit_strength: str | EditConfig = DEFAULT_EDIT_STRENGTH,
    device: str | torch.device = "auto",
    jpeg_quality: int = 95,
    keep_icc: bool = True,
    verify: bool = True,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: Progress | None = None,
    name: str = "<bytes>",
) -> tuple[bytes, ProtectResult]:
    """:func:`protect` in memory: the protected file's bytes (metadata stripped) and the result.

    ``name`` is what errors call bytes given as ``source`` (the batch engine gives its URI); the
    other arguments are :func:`protect`'s.

    Example (from the repository root, models fetched):
        >>> data, result = protect_bytes(Path("examples/astronaut.png").read_bytes(), strength=preset("fast").with_(steps=2))
        >>> data[:4], result.faces_protected, result.output_path is None
        (b'\\x89PNG', 1, True)
    """
    loaded, data, result = _load_and_protect(
        source, None, strength, against, edit_strength, device, jpeg_quality, verify, max_pixels, progress, name
    )
    encoded, result.metadata, _ = _encode(loaded, data, result, jpeg_quality, keep_icc)
    if progress is not None:
        progress(1.0, Stage("done"))
    return encoded, result


def _protect(
    loaded: LoadedImage,
    strength: str | CloakConfig,
    device: str | torch.device,
    jpeg_quality: int,
    verify: bool,
    progress: Progress | None,
    *,
    load_seconds: float,
    against: Sequence[str] = DEFAULT_AGAINST,
    edit_strength: str | EditConfig = DEFAULT_EDIT_STRENGTH,
) -> ProtectResult:
    """Detect, cloak and verify a loaded photo; returns the result (nothing written)."""
    work = _detect(
        loaded,
        strength,
        device,
        jpeg_quality,
        progress,
        load_seconds=load_seconds,
        against=against,
        edit_strength=edit_strength,
    )
    if work.usable:
        work.report_progress(0.08, Stage("loading the face models"))
        cloak = _get_cloak(work.config, work.device)
        work.report_progress(0.1, Stage("cloaking", n=len(work.usable)))
        _take_cloak(work, cloak(*work.cloak_arguments()))
    return _finish(work, verify)


@dataclass
class _Work:
    """One photo between the stages of :func:`_protect`: detected, then cloaked, then verified.

    :func:`_protect` runs the stages on one photo; :func:`photoguard.many.protect_many` runs the
    detection of every photo, one batched cloak, then the rest of each photo.
    """

    loaded: LoadedImage
    config: CloakConfig
    device: torch.device
    jpeg_quality: int
    report_progress: Progress
    timings: dict[str, float]
    start: float
    lap_start: float
    faces: list[Face]
    reports: list[FaceReport]
    usable: list[int]
    base: np.ndarray  #: what the cloak starts from: the photo, or the photo with the edit defence
    edits: bool  #: whether the edit defence was added
    protected: np.ndarray

    @property
    def quality(self) -> int | None:
        """The JPEG quality the photo will be written at; None for a lossless format."""
        return self.jpeg_quality if output_format(self.loaded.format) == "JPEG" else None

    def lap(self, stage: str) -> None:
        """Record the time since the last lap as ``stage``."""
        now = time.perf_counter()
        self.timings[stage] = now - self.lap_start
        self.lap_start = now

    def cloak_arguments(self) -> tuple[np.ndarray, list[Face], Progress]:
        """The cloak's arguments for this photo's usable faces (progress scaled into 0.1..0.85)."""
        report = self.report_progress
        return (self.base, [self.faces[i] for i in self.usable], lambda f, stage: report(0.1 + 0.75 * f, stage))


def _detect(
    loaded: LoadedImage,
    strength: str | CloakConfig,
    device: str | torch.device,
    jpeg_quality: int,
    progress: Progress | None,
    *,
    load_seconds: float,
    against: Sequence[str] = DEFAULT_AGAINST,
    edit_strength: str | EditConfig = DEFAULT_EDIT_STRENGTH,
) -> _Work:
    """Check the options, find the faces (and which of them are large enough to cloak) and, when
    asked, add the edit defence over the rest of the photo."""
    config = preset(strength)
    defences = _against(against)
    edit_config = edit_preset(edit_strength) if "edits" in defences else None
    if not 90 <= jpeg_quality <= 100:
        raise UsageError("jpeg_quality must be 90..100: lower quality erodes the cloak")
    dev = resolve_device(device)
    report_progress = progress or (lambda fraction, stage: None)
    timings: dict[str, float] = {"load": load_seconds}
    start = time.perf_counter() - load_seconds

    t = time.perf_counter()
    report_progress(0.05, Stage("detecting faces"))
    faces = detect_faces(loaded.rgb)
    reports = [FaceReport(index=i, box=f.box, score=f.score, protected=False) for i, f in enumerate(faces)]
    usable = [i for i, f in enumerate(faces) if f.size >= config.min_face_px]
    for i, f in enumerate(faces):
        if i not in usable:
            reports[i].reason = f"too small to protect: {f.size:.0f} px (minimum {config.min_face_px} px)"
    rgb = loaded.rgb
    work = _Work(
        loaded, config, dev, jpeg_quality, report_progress, timings, start, t, faces, reports, usable, rgb, False, rgb
    )
    work.lap("detect")
    if edit_config is not None:  # over the whole photo but the faces the cloak takes care of
        from photoguard.edits.pattern import protect_edits
        from photoguard.imageio import to_tensor, to_uint8

        report_progress(0.06, Stage("adding the edit defence"))
        spared = [faces[i].box for i in usable]
        work.base = work.protected = to_uint8(protect_edits(to_tensor(rgb), edit_config, faces=spared))
        work.edits = True
        work.lap("edits")
    return work


def _take_cloak(work: _Work, cloaked: tuple[np.ndarray, list[FaceOutcome]]) -> None:
    """Take the cloak's ``(protected, outcomes)`` for the usable faces, then hold the visibility
    floor on the file as written and record each cloaked face's JODs."""
    protected, outcomes = cloaked
    for i, outcome in zip(work.usable, outcomes):
        work.reports[i].protected = outcome.cloaked
        work.reports[i].reason = outcome.reason
    done = [i for i, outcome in zip(work.usable, outcomes) if outcome.cloaked]
    if done:  # before the check: the verdict is on the final pixels
        from photoguard.cloak.floor import within_floor

        faces = [work.faces[i] for i in done]
        targets = (work.config.jod_target, work.config.phone_jod_target)
        protected, jods = within_floor(work.base, protected, faces, targets, work.quality)
        for i, (at_100, on_phone) in zip(done, jods):
            work.reports[i].visibility_jod, work.reports[i].phone_jod = at_100, on_phone
    work.protected = protected


def _finish(work: _Work, verify: bool) -> ProtectResult:
    """Verify the cloaked photo and build its result (nothing written)."""
    loaded, protected, faces, reports, config = work.loaded, work.protected, work.faces, work.reports, work.config
    work.lap("cloak")
    if verify and work.usable:
        work.report_progress(0.85, Stage("verifying"))
        _verification(loaded.rgb, protected, faces, reports, config, work.device)
    work.lap("verify")

    timings = work.timings
    result = ProtectResult(
        image=protected,
        faces=reports,
        timings=timings,
        psnr=psnr(loaded.rgb, protected),
        strength=next((name for name, c in PRESETS.items() if c == config), "custom"),
        edits=work.edits,
    )
    if faces:
        box = face_region_box(faces[0], loaded.rgb.shape)
        result.face_psnr = psnr(crop(loaded.rgb, box), crop(protected, box))
    timings["write"] = 0.0
    timings["total"] = time.perf_counter() - work.start
    result.details = _details(result)
    result.message = f"{result.headline}: {result.details}"
    return result


def _encode(
    loaded: LoadedImage, data: bytes | None, result: ProtectResult, jpeg_quality: int, keep_icc: bool
) -> tuple[bytes, object, bool]:
    """The file to write: ``(bytes, strip report, lossless)``.

    Nothing cloaked and the original's bytes at hand: the lossless strip (pixels bit for bit),
    unless no stripper handles that container (BMP, GIF), which is then re-encoded and says so.
    Anything the stripper's own check finds left in its output is an error, never a quiet re-encode.
    """
    from photoguard.metadata import inspect_metadata, strip_bytes

    if not result.faces_protected and not result.edits:
        original = data if data is not None else (loaded.source.read_bytes() if loaded.source is not None else None)
        if original is not None:
            try:
                stripped, report = strip_bytes(original, keep_icc=keep_icc, name=str(loaded.source or "photo"))
                return stripped, report, True
            except UnsupportedFormatError:
                pass  # no lossless stripper for this container: re-encoded below, and the report says so
    out_format = output_format(loaded.format)
    encoded = encode_image(
        result.image,
        out_format,
        alpha=loaded.alpha,
        quality=jpeg_quality,
        icc_profile=loaded.icc_profile if keep_icc else None,
    )
    encoded, report = strip_bytes(encoded, keep_icc=keep_icc, name=str(loaded.source or "photo"))
    leaked: bytes | Path | None = data if data is not None else loaded.source
    if leaked is not None:
        try:
            report.findings = inspect_metadata(leaked).findings
        except PhotoguardError:  # the original's container could not be read; the output is checked clean anyway
            pass
    report.pixels = f"re-encoded as {out_format}" + (
        f" (quality {jpeg_quality}, 4:4:4)" if out_format == "JPEG" else " (lossless)"
    )
    report.orientation = "applied to the pixels"
    return encoded, report, False


def _details(result: ProtectResult) -> str:
    """What was done and measured, for :attr:`ProtectResult.details`."""
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
        sizes = ", ".join(f"{math.sqrt(max(f.box[2] - f.box[0], 0) * max(f.box[3] - f.box[1], 0)):.0f}" for f in small)
        parts.append(f"{len(small)} face(s) too small to cloak ({sizes} px; left as they are)")
    if result.face_psnr is not None and done:
        parts.append(f"face PSNR {result.face_psnr:.1f} dB")
    if result.visibility_jod is not None:  # words only from a measurement
        parts.append(f"cloak {result.visibility} ({result.visibility_jod:.1f} JOD)")
    if edits:
        parts.append(edits)
    elif done == 0:
        parts.append("metadata stripped only")
    return "; ".join(parts)
