"""``protect_many()``: several photos, their faces cloaked together (one encoder pass per step).

The stages are :func:`photoguard.protect`'s own (:mod:`photoguard.pipeline`): every photo is
loaded and its faces detected, then the faces of all photos are cloaked in one batched
optimisation (:meth:`~photoguard.cloak.identity.IdentityCloak.cloak_many`: each face keeps its
own seeded draws, encoder choice, budget scale and early stop; only the encoder calls are shared),
then each photo is verified and written as :func:`~photoguard.protect` would. On a GPU that is the
difference between a busy chip and an idle one; on a CPU it saves little (benchmarks/batching.py).

A photo's output equals its :func:`~photoguard.protect` output for the same strength and seed, up
to the rounding of batched convolutions, which the optimisation amplifies over the steps
(``tests/test_many.py``: <= 1 level at 4 steps; ``benchmarks/batching.py``: up to 9 levels on
0.4 % of the values at 8 steps, final similarities within 0.015). A batch of one is bit-identical.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from photoguard.config import CloakConfig, preset
from photoguard.edits.config import DEFAULT_AGAINST, DEFAULT_EDIT_STRENGTH, EditConfig, edit_preset
from photoguard.errors import PhotoguardError, UsageError
from photoguard.imageio import DEFAULT_MAX_PIXELS
from photoguard.pipeline import (
    Source,
    _against,
    _detect,
    _finish,
    _get_cloak,
    _load_for,
    _names_folder,
    _take_cloak,
    _Work,
    _write,
    resolve_device,
)
from photoguard.types import ProtectResult

#: What each photo of :func:`protect_many` turns into: its result, or the error that stopped it.
Outcome = ProtectResult | PhotoguardError | OSError

__all__ = ["Outcome", "protect_many"]


def protect_many(
    images: Sequence[Source],
    *,
    strength: str | CloakConfig = "medium",
    against: Sequence[str] = DEFAULT_AGAINST,
    edit_strength: str | EditConfig = DEFAULT_EDIT_STRENGTH,
    output: str | os.PathLike[str] | Sequence[str | os.PathLike[str] | None] | None = None,
    device: str | torch.device = "auto",
    jpeg_quality: int = 95,
    keep_icc: bool = True,
    verify: bool = True,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    on_outcome: Callable[[int, Outcome], None] | None = None,
    overwrite: bool | None = None,
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
    config = preset(strength)
    _against(against)
    if "edits" in against:
        edit_preset(edit_strength)
    if not 90 <= jpeg_quality <= 100:
        raise UsageError("jpeg_quality must be 90..100: lower quality erodes the cloak")
    dev = resolve_device(device)
    outputs = _outputs(output, len(images))

    outcomes: list[Outcome | None] = [None] * len(images)
    started: list[tuple[int, _Work, bytes | None]] = []
    for i, source in enumerate(images):
        try:
            loaded, data, load_seconds = _load_for(source, outputs[i], max_pixels)
            work = _detect(
                loaded,
                config,
                dev,
                jpeg_quality,
                None,
                load_seconds=load_seconds,
                against=against,
                edit_strength=edit_strength,
            )
            started.append((i, work, data))
        except PhotoguardError as exc:
            outcomes[i] = exc
            if on_outcome is not None:
                on_outcome(i, exc)

    to_cloak = [work for _, work, _ in started if work.usable]
    if to_cloak:
        from photoguard.cloak.identity import PhotoCloak

        cloak = _get_cloak(config, dev)
        t0 = time.perf_counter()
        cloaked = cloak.cloak_many([PhotoCloak(cloak, *work.cloak_arguments()) for work in to_cloak])
        for work, photo in zip(to_cloak, cloaked):
            work.lap_start = t0  # the cloak lap: the batch's wall time
            _take_cloak(work, photo)

    written: set[Path] = set()
    for i, work, data in started:
        outcome: Outcome
        try:
            result = _finish(work, verify)
            target = outputs[i]
            if target is not None:
                _write(
                    target, work.loaded, data, result, jpeg_quality, keep_icc, None, taken=written, overwrite=overwrite
                )
            outcome = result
        except (PhotoguardError, OSError) as exc:
            outcome = exc
        outcomes[i] = outcome
        if on_outcome is not None:
            on_outcome(i, outcome)
    return [o if o is not None else UsageError("not processed") for o in outcomes]


def _outputs(
    output: str | os.PathLike[str] | Sequence[str | os.PathLike[str] | None] | None, n: int
) -> list[str | os.PathLike[str] | None]:
    """One output per photo: None for each, the same folder for each, or the caller's list."""
    if output is None:
        return [None] * n
    if isinstance(output, (str, os.PathLike)):
        if not _names_folder(output):
            raise UsageError(f"{output}: one output for several photos must be a folder (end it with '/')")
        return [output] * n
    outputs = list(output)
    if len(outputs) != n:
        raise UsageError(f"{len(outputs)} outputs for {n} photos")
    return outputs
