"""Stage 6, write: the protected photo encoded in the format it is written in, its metadata
stripped (and the stripper's own check run on the output), then written atomically under the
name :mod:`~photoguard.pipeline.naming` gives it.

The output keeps the input's format family (:data:`photoguard.formats.FORMATS`): PNG for PNG,
JPEG (the options' quality, :data:`~photoguard.formats.JPEG_QUALITY` by default; 4:4:4 chroma) for
JPEG and HEIC, lossless WebP for WebP, TIFF for TIFF. Pixels are written orientation-applied, with
no metadata but the ICC profile. A photo without a usable face is passed through the lossless
metadata stripper only, in its own format.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from photoguard.errors import PhotoguardError, UnsupportedFormatError, UsageError
from photoguard.fileio import refuse_overwrite
from photoguard.formats import output_format
from photoguard.imageio import LoadedImage, atomic_write_bytes, encode_image
from photoguard.pipeline.naming import names_folder, output_target
from photoguard.pipeline.options import ProtectOptions
from photoguard.pipeline.work import Progress
from photoguard.progress import Stage
from photoguard.types import ProtectResult

if TYPE_CHECKING:
    from photoguard.metadata.types import StripReport


def encode(
    loaded: LoadedImage, data: bytes | None, result: ProtectResult, options: ProtectOptions
) -> tuple[bytes, StripReport, bool]:
    """The file to write: ``(bytes, strip report, lossless)``.

    Nothing cloaked and the original's bytes at hand: the lossless strip (pixels bit for bit),
    unless no stripper handles that container (BMP, GIF), which is then re-encoded and says so.
    Anything the stripper's own check finds left in its output is an error, never a quiet re-encode.
    """
    from photoguard.metadata import inspect_metadata, strip_bytes

    keep_icc = options.keep_icc
    if not result.faces_protected and not result.edits:
        original = data if data is not None else (loaded.source.read_bytes() if loaded.source is not None else None)
        if original is not None:
            try:
                stripped, report = strip_bytes(original, keep_icc=keep_icc, name=str(loaded.source or "photo"))
                return stripped, report, True
            except UnsupportedFormatError:
                pass  # no lossless stripper for this container: re-encoded below, and the report says so
    out_format = output_format(loaded.format)
    quality = options.quality_for(loaded.format)
    encoded = encode_image(
        result.image,
        out_format,
        alpha=loaded.alpha,
        quality=options.jpeg_quality,
        icc_profile=loaded.icc_profile if keep_icc else None,
    )
    encoded, report = strip_bytes(encoded, keep_icc=keep_icc, name=str(loaded.source or "photo"))
    leaked: bytes | Path | None = data if data is not None else loaded.source
    if leaked is not None:
        try:
            report.findings = inspect_metadata(leaked).findings
        except PhotoguardError:  # the original's container could not be read; the output is checked clean anyway
            pass
    report.pixels = f"re-encoded as {out_format}" + (f" (quality {quality}, 4:4:4)" if quality else " (lossless)")
    report.orientation = "applied to the pixels"
    return encoded, report, False


def write(
    output: str | os.PathLike[str],
    loaded: LoadedImage,
    data: bytes | None,
    result: ProtectResult,
    options: ProtectOptions,
    progress: Progress | None,
    taken: set[Path] | None = None,
) -> None:
    """Encode, strip and atomically write ``result`` to ``output`` (sets its path, metadata, timings).

    Args:
        output: a file or folder (:func:`~photoguard.pipeline.naming.output_target`).
        taken: files already written by the caller's batch: refused, and the new one is added.

    Raises:
        UsageError: the target is the input itself, or one in ``taken``.
        OutputExistsError: the target exists and may not be replaced (``options.overwrite``).
    """
    t0 = time.perf_counter()
    if progress is not None:
        progress(0.9, Stage("writing"))
    encoded, result.metadata, lossless = encode(loaded, data, result, options)
    target = output_target(output, loaded.source, loaded.format, lossless=lossless)
    if loaded.source is not None:
        refuse_overwrite(target, loaded.source)
    if taken is not None:
        if target.resolve() in taken:
            raise UsageError(
                f"{target}: already written by an earlier photo of this batch (give each photo its own name)"
            )
        taken.add(target.resolve())
    replace = options.overwrite if options.overwrite is not None else not names_folder(output)
    result.output_path = atomic_write_bytes(target, encoded, replace=replace)
    result.timings["write"] = time.perf_counter() - t0
    result.timings["total"] += result.timings["write"]
