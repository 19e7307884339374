"""How a protected photo's file is named: one rule for :func:`photoguard.protect` (a file or folder
given as ``output``) and the batch engines (a mirror of the input folders, or one named file).

A protected photo is written in :func:`~photoguard.formats.output_format` of its format when a
face was cloaked, and in its own format when it was copied losslessly (no face). A folder gets the
photo's own name with the suffix of the format written (:func:`~photoguard.formats.output_name`:
the photographer's spelling kept where it names that format). A named file must carry the suffix
of the format written, except that a lossless copy named as the cloaked photo would be keeps the
input's own suffix (a face-free HEIC stays ``.heic``).

Example:
    >>> output_target("out/", Path("IMG_1.HEIC"), "HEIF", lossless=False).name
    'IMG_1.jpg'
    >>> output_target("out/b.jpg", Path("IMG_1.HEIC"), "HEIF", lossless=True).name
    'b.HEIC'
    >>> planned_names(Path("day1/IMG_1.HEIC"), "HEIF")
    (PosixPath('day1/IMG_1.jpg'), (PosixPath('day1/IMG_1.HEIC'),))
"""

from __future__ import annotations

import os
from pathlib import Path

from photoguard.formats import output_format, output_name, suffix_format, wrong_name

#: The name a photo without a file name (bytes, an array) is given in a folder.
UNNAMED = "protected"


def names_folder(output: str | os.PathLike[str]) -> bool:
    """Whether ``output`` is a folder (an existing one, or a name ending in a separator)."""
    return str(output).endswith(("/", os.sep)) or Path(output).is_dir()


def check_output_name(output: str | os.PathLike[str], image_format: str) -> None:
    """Refuse, before any work, an output file name whose suffix fits neither format a photo of
    ``image_format`` could be written in (cloaked, or copied losslessly); a folder always fits.

    Raises:
        UsageError: the name's suffix names another format, or it has none.
    """
    if names_folder(output):
        return
    if suffix_format(output) not in (output_format(image_format), image_format):
        raise wrong_name(output, output_format(image_format))


def output_target(output: str | os.PathLike[str], source: Path | None, image_format: str, *, lossless: bool) -> Path:
    """The file to write for ``output`` (a file or a folder): a photo read from ``source`` (None:
    not read from a file) in ``image_format``, cloaked (written in its output format) or copied
    ``lossless`` (in its own format).

    Raises:
        UsageError: the name's suffix names another format than the one written, or none.
    """
    written = image_format if lossless else output_format(image_format)
    path = Path(output)
    if names_folder(output):
        return path / output_name(source.name if source else UNNAMED, written)
    named = suffix_format(path)
    if named == written:
        return path
    own = output_name(source or UNNAMED, written).suffix  # the input's own spelling, when it names that format
    if lossless and named == output_format(image_format):
        return path.with_suffix(own)
    raise wrong_name(path, written, own)


def planned_names(target: Path, image_format: str | None, source: Path | None = None) -> tuple[Path, tuple[Path, ...]]:
    """For the batch plan: the name a photo in ``image_format`` is written to, and the other name
    it may take, by :func:`output_target`'s rule.

    Args:
        target: the name the user gave (``protect a.heic -o b.jpg``), or, without ``source``, the
            photo's own name mirrored below the output folder (renamed for the format written).
        image_format: the photo's format (None: unknown, the name is kept).
        source: the photo, when ``target`` is a name the user gave.

    Returns:
        ``(name, alternates)``: the cloaked photo's name, and the lossless copy's when it differs
        (a face-free ``IMG_1.HEIC`` keeps its name).

    Raises:
        UsageError: a name the user gave whose suffix does not name the format written.
    """
    if image_format is None:
        return target, ()
    written = output_format(image_format)
    if source is None:
        source, target = target, output_name(target, written)
    elif suffix_format(target) != written:
        raise wrong_name(target, written)
    lossless = output_target(target, source, image_format, lossless=True)
    return target, (() if lossless == target else (lossless,))
