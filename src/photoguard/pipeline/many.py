"""``protect_many()``: several photos, their faces cloaked together (one encoder pass per step).

The stages are :func:`photoguard.protect`'s own (this package's modules): every photo is loaded
and its faces detected, then the faces of all photos are cloaked in one batched optimisation
(:func:`~photoguard.pipeline.cloak.cloak_together`: each face keeps its own seeded draws, encoder
choice, budget scale and early stop; only the encoder calls are shared), then each photo is
verified and written as :func:`~photoguard.protect` would. On a GPU that is the difference between
a busy chip and an idle one; on a CPU it saves little (benchmarks/batching.py).

A photo's output equals its :func:`~photoguard.protect` output for the same strength and seed, up
to the rounding of batched convolutions, which the optimisation amplifies over the steps
(``tests/test_many.py``: <= 1 level at 4 steps; ``benchmarks/batching.py``: up to 9 levels on
0.4 % of the values at 8 steps, final similarities within 0.015). A batch of one is bit-identical.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from photoguard.config import CloakConfig
from photoguard.edits.config import EditConfig
from photoguard.errors import PhotoguardError, UsageError
from photoguard.pipeline.cloak import cloak_together
from photoguard.pipeline.detect import detect
from photoguard.pipeline.load import Source, load
from photoguard.pipeline.naming import names_folder
from photoguard.pipeline.options import DEFAULTS, ProtectOptions
from photoguard.pipeline.result import result_of
from photoguard.pipeline.verify import verify
from photoguard.pipeline.work import PhotoWork
from photoguard.pipeline.write import write
from photoguard.types import ProtectResult

if TYPE_CHECKING:
    import torch

#: What each photo of :func:`protect_many` turns into: its result, or the error that stopped it.
Outcome = ProtectResult | PhotoguardError | OSError
#: ``protect_many``'s ``output``: None, one folder for every photo, or one output per photo.
Outputs = str | os.PathLike[str] | Sequence[str | os.PathLike[str] | None] | None


def protect_many(
    images: Sequence[Source],
    *,
    strength: str | CloakConfig = DEFAULTS.strength,
    against: Sequence[str] = DEFAULTS.against,
    edit_strength: str | EditConfig = DEFAULTS.edit_strength,
    output: Outputs = None,
    device: str | torch.device = DEFAULTS.device,
    jpeg_quality: int = DEFAULTS.jpeg_quality,
    keep_icc: bool = DEFAULTS.keep_icc,
    verify: bool = DEFAULTS.verify,
    max_pixels: int = DEFAULTS.max_pixels,
    on_outcome: Callable[[int, Outcome], None] | None = None,
    overwrite: bool | None = DEFAULTS.overwrite,
) -> list[Outcome]:
    """Cloak every face of several photos at once and (optionally) write them without metadata.

    Every photo is decoded before the cloak starts, so pass a few dozen at a time, not a shoot.

    Args:
        images: the photos, each anything :func:`~photoguard.protect` reads (never modified).
        strength: preset name or a :class:`CloakConfig`, for every photo.
        against, edit_strength: as for :func:`~photoguard.protect` (``"edits"`` adds the edit
            defence to each photo before its faces are cloaked).
        output: None (nothing written), a folder for every photo (each gets ``<stem><suffix>``),
            or one output per photo (a file or folder name, or None), as ``protect(output=)`` takes it.
        device: ``auto``, ``cpu`` or ``cuda``.
        jpeg_quality, keep_icc, verify, max_pixels: as for :func:`~photoguard.protect`.
        on_outcome: called ``on_outcome(i, outcome)`` once per photo as soon as photo ``i`` is done
            (written, when it has an output) or has failed, before the next one is written.
        overwrite: as for :func:`~photoguard.protect` (None: a file named as an output may be
            replaced, a name made inside a folder never is).

    Returns:
        One entry per photo, in order: its :class:`ProtectResult` (``output_path`` set when
        written), or the error that stopped that photo alone: a :class:`PhotoguardError`
        (unreadable, no usable output name, metadata left; a photo whose file an earlier photo of
        the batch already wrote is refused with a :class:`UsageError`, the first file kept) or an
        :class:`OSError` from writing. A failing photo never stops the others.
        ``timings["cloak"]`` is the batched cloak's wall time, shared by the photos in it.

    Raises:
        UsageError: an option that is wrong for every photo (strength, defences, quality, device,
            the number of outputs).
    """
    options = ProtectOptions.of_call(locals())
    return protect_photos(images, options, output=output, on_outcome=on_outcome)


def protect_photos(
    images: Sequence[Source],
    options: ProtectOptions,
    *,
    output: Outputs = None,
    on_outcome: Callable[[int, Outcome], None] | None = None,
) -> list[Outcome]:
    """:func:`protect_many` with its options made."""
    options.torch_device()  # an unavailable device fails every photo: say so once, before any work
    outputs = per_photo(output, len(images))

    outcomes: list[Outcome | None] = [None] * len(images)
    started: list[tuple[int, PhotoWork, bytes | None]] = []
    for i, source in enumerate(images):
        try:
            loaded = load(source, options, outputs[i])
            started.append((i, detect(loaded.photo, options, None, load_seconds=loaded.seconds), loaded.data))
        except PhotoguardError as exc:
            outcomes[i] = exc
            if on_outcome is not None:
                on_outcome(i, exc)

    cloak_together([work for _, work, _ in started])

    written: set[Path] = set()
    for i, work, data in started:
        outcome: Outcome
        try:
            verify(work)
            result = result_of(work)
            target = outputs[i]
            if target is not None:
                write(target, work.loaded, data, result, options, None, taken=written)
            outcome = result
        except (PhotoguardError, OSError) as exc:
            outcome = exc
        outcomes[i] = outcome
        if on_outcome is not None:
            on_outcome(i, outcome)
    return [o if o is not None else UsageError("not processed") for o in outcomes]


def per_photo(output: Outputs, n: int) -> list[str | os.PathLike[str] | None]:
    """One output per photo: None for each, the same folder for each, or the caller's list.

    Raises:
        UsageError: one file name for several photos, or as many outputs as there are not photos.
    """
    if output is None:
        return [None] * n
    if isinstance(output, (str, os.PathLike)):
        if not names_folder(output):
            raise UsageError(f"{output}: one output for several photos must be a folder (end it with '/')")
        return [output] * n
    outputs = list(output)
    if len(outputs) != n:
        raise UsageError(f"{len(outputs)} outputs for {n} photos")
    return outputs
