"""``protect()``: load -> detect -> cloak -> verify -> result -> write, one stage a module of this
package; :func:`protect_bytes` does the same in memory.

The public functions take their options as keyword arguments (their signatures do not change) and
build one :class:`~photoguard.pipeline.options.ProtectOptions` of them; the CLI, the app and the
batch engine build theirs and call :func:`protect_photo` / :func:`protect_photo_bytes` with it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path  # noqa: F401  (the example's)
from typing import TYPE_CHECKING

from photoguard.config import CloakConfig, preset  # noqa: F401  (preset: the example's)
from photoguard.edits.config import EditConfig
from photoguard.pipeline.cloak import cloak
from photoguard.pipeline.detect import detect
from photoguard.pipeline.load import Loaded, Source, load
from photoguard.pipeline.options import DEFAULTS, ProtectOptions
from photoguard.pipeline.result import result_of
from photoguard.pipeline.verify import verify
from photoguard.pipeline.work import Progress
from photoguard.pipeline.write import encode, write
from photoguard.progress import Stage
from photoguard.types import ProtectResult

if TYPE_CHECKING:
    import torch


def protect(
    source: Source,
    *,
    strength: str | CloakConfig = DEFAULTS.strength,
    against: Sequence[str] = DEFAULTS.against,
    edit_strength: str | EditConfig = DEFAULTS.edit_strength,
    output: str | os.PathLike[str] | None = None,
    device: str | torch.device = DEFAULTS.device,
    jpeg_quality: int = DEFAULTS.jpeg_quality,
    keep_icc: bool = DEFAULTS.keep_icc,
    verify: bool = DEFAULTS.verify,
    max_pixels: int = DEFAULTS.max_pixels,
    progress: Progress | None = None,
    overwrite: bool | None = DEFAULTS.overwrite,
) -> ProtectResult:
    """Cloak every face in a photo and (optionally) write it without metadata.

    Args:
        source: a path, encoded bytes, a PIL image, an ``H x W x 3`` uint8 RGB array, or a
            :class:`~photoguard.imageio.LoadedImage` (never modified).
        strength: preset name (``fast``, ``medium``, ``light``, ``strong``) or a :class:`CloakConfig`.
        against: what to defend against: ``("identity",)`` (default) or ``("identity", "edits")``,
            which adds the whole-photo defence against diffusion editing (:mod:`photoguard.edits`).
        edit_strength: the edit defence's strength (``low``, ``medium``, ``strong``) or an
            :class:`~photoguard.edits.config.EditConfig`; used with ``"edits"`` only.
        output: file or folder to write to (a folder gets ``<stem><suffix>``); None writes nothing
            (:func:`protect_bytes` returns the file's bytes instead). A named file must end in the
            suffix of the format written (:func:`~photoguard.pipeline.naming.output_target`).
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

    The options are those of :class:`~photoguard.pipeline.options.ProtectOptions`, checked there.

    Returns:
        A :class:`ProtectResult`: ``result.verdict`` first, ``result.image`` the protected photo.

    Raises:
        ImageError: the input cannot be read.
        UsageError: a bad option, or an output name whose suffix names another format.
        OutputExistsError: the file to write exists and may not be replaced (see ``overwrite``).
        MetadataError: the written file would still hold identifying metadata (nothing is written).
    """
    options = ProtectOptions.of_call(locals())
    return protect_photo(source, options, output=output, progress=progress)


def protect_bytes(
    source: Source,
    *,
    strength: str | CloakConfig = DEFAULTS.strength,
    against: Sequence[str] = DEFAULTS.against,
    edit_strength: str | EditConfig = DEFAULTS.edit_strength,
    device: str | torch.device = DEFAULTS.device,
    jpeg_quality: int = DEFAULTS.jpeg_quality,
    keep_icc: bool = DEFAULTS.keep_icc,
    verify: bool = DEFAULTS.verify,
    max_pixels: int = DEFAULTS.max_pixels,
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
    options = ProtectOptions.of_call(locals())
    return protect_photo_bytes(source, options, progress=progress, name=name)


def protect_photo(
    source: Source,
    options: ProtectOptions,
    *,
    output: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> ProtectResult:
    """:func:`protect` with its options made: the photo through every stage, written to ``output``
    when there is one."""
    loaded, result = _through_the_cloak(source, options, output, progress)
    if output is not None:
        write(output, loaded.photo, loaded.data, result, options, progress)
    if progress is not None:
        progress(1.0, Stage("done"))
    return result


def protect_photo_bytes(
    source: Source, options: ProtectOptions, *, progress: Progress | None = None, name: str = "<bytes>"
) -> tuple[bytes, ProtectResult]:
    """:func:`protect_bytes` with its options made."""
    loaded, result = _through_the_cloak(source, options, None, progress, name)
    encoded, result.metadata, _ = encode(loaded.photo, loaded.data, result, options)
    if progress is not None:
        progress(1.0, Stage("done"))
    return encoded, result


def _through_the_cloak(
    source: Source,
    options: ProtectOptions,
    output: str | os.PathLike[str] | None,
    progress: Progress | None,
    name: str = "<bytes>",
) -> tuple[Loaded, ProtectResult]:
    """Load (the ``output`` name checked first), detect, cloak, verify: the photo and its result, nothing written."""
    loaded = load(source, options, output, name)
    work = detect(loaded.photo, options, progress, load_seconds=loaded.seconds)
    cloak(work)
    verify(work)
    return loaded, result_of(work)
