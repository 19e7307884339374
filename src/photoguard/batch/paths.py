"""Folder walking and output mirroring, shared by every batch command.

``photoguard strip a.jpg trip/ -o out`` writes ``out/a.jpg`` and ``out/<path inside trip>``:
files named on the command line land at the top of the output folder, files found in a folder
keep their path relative to that folder, so ``trip/day1/IMG_0001.jpg`` and
``trip/day2/IMG_0001.jpg`` never collide. Two inputs that would still map to the same output
are a usage error, reported before anything is written.

A URI (``s3://bucket/shoot``, see :mod:`photoguard.batch.storage`) is walked and mirrored by the
same rules: its keys are the files, ``/`` its folders.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from photoguard.batch import storage
from photoguard.batch.storage import Location, RemotePath
from photoguard.errors import UsageError
from photoguard.fileio import refuse_overwrite

#: How the command line lets a user replace their own photos.
IN_PLACE_HINT = "use --in-place to modify inputs"


@dataclass(frozen=True)
class InputFile:
    """One file to process.

    Attributes:
        path: the file on disk, or on a ``pyarrow.fs`` filesystem (a :class:`RemotePath`).
        rel: its output path relative to the output folder.
        from_folder: True when it was found by walking a folder (not named explicitly).
    """

    path: Location
    rel: Path
    from_folder: bool


def iter_inputs(
    paths: Iterable[str | os.PathLike | RemotePath],
    *,
    recursive: bool = True,
    exclude: Iterable[str | os.PathLike | RemotePath] = (),
) -> Iterator[InputFile]:
    """Expand files and folders into :class:`InputFile` s, in a stable (sorted) order.

    Hidden files and folders (starting with ``.``) inside walked folders are skipped, as is any
    folder in ``exclude`` (for example the output folder when it lies inside an input). Paths
    that do not exist are yielded as-is so the caller can report them as failures.
    """
    excluded = [storage.location(p) for p in exclude]
    skip = {p.resolve() for p in excluded if isinstance(p, Path)}
    remote_skip = tuple(p for p in excluded if isinstance(p, RemotePath))
    for raw in paths:
        path = storage.location(raw)
        if isinstance(path, RemotePath):
            yield from _remote_inputs(path, recursive, remote_skip)
            continue
        if not path.is_dir():
            yield InputFile(path, Path(path.name), False)
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (here / d).resolve() not in skip)
            if not recursive:
                dirnames[:] = []
            for name in sorted(filenames):
                if not name.startswith("."):
                    yield InputFile(here / name, (here / name).relative_to(path), True)


def _remote_inputs(root: RemotePath, recursive: bool, skip: tuple[RemotePath, ...]) -> Iterator[InputFile]:
    if storage.kind(root) != "folder":  # a file, or missing (then a failure of its own)
        yield InputFile(root, Path(root.name), False)
        return
    for path in storage.walk(root, recursive=recursive, skip=skip):
        yield InputFile(path, Path(path.key[len(root.key) :].lstrip("/")), True)


def plan_outputs(
    inputs: Iterable[InputFile], out_dir: str | os.PathLike | RemotePath
) -> list[tuple[InputFile, Location]]:
    """Pair each input with its output path under ``out_dir``.

    Raises:
        UsageError: two inputs map to the same output path, or an output would overwrite an input.
    """
    out_at = storage.location(out_dir)
    plan: list[tuple[InputFile, Location]] = []
    seen: dict[str, Location] = {}
    for item in inputs:
        dst = out_at / item.rel
        key = os.path.normcase(str(dst.resolve())) if isinstance(dst, Path) else str(dst)
        if key in seen:
            raise UsageError(f"{item.path} and {seen[key]} would both be written to {dst}; strip them in separate runs")
        if isinstance(dst, Path) and isinstance(item.path, Path):
            refuse_overwrite(dst, item.path, hint=IN_PLACE_HINT)
        elif str(dst) == str(item.path):
            raise UsageError(f"output would overwrite the input ({IN_PLACE_HINT})", path=str(dst))
        seen[key] = item.path
        plan.append((item, dst))
    return plan
