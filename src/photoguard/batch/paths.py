"""Folder walking and output mirroring, shared by every batch command.

``photoguard strip a.jpg trip/ -o out`` writes ``out/a.jpg`` and ``out/<path inside trip>``:
files named on the command line land at the top of the output folder, files found in a folder
keep their path relative to that folder, so ``trip/day1/IMG_0001.jpg`` and
``trip/day2/IMG_0001.jpg`` never collide. Two inputs that would still map to the same output
are a usage error, reported before anything is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from photoguard.errors import UsageError
from photoguard.fileio import refuse_overwrite

#: How the command line lets a user replace their own photos.
IN_PLACE_HINT = "use --in-place to modify inputs"


@dataclass(frozen=True)
class InputFile:
    """One file to process.

    Attributes:
        path: the file on disk.
        rel: its output path relative to the output folder.
        from_folder: True when it was found by walking a folder (not named explicitly).
    """

    path: Path
    rel: Path
    from_folder: bool


def iter_inputs(
    paths: Iterable[str | os.PathLike], *, recursive: bool = True, exclude: Iterable[str | os.PathLike] = ()
) -> Iterator[InputFile]:
    """Expand files and folders into :class:`InputFile` s, in a stable (sorted) order.

    Hidden files and folders (starting with ``.``) inside walked folders are skipped, as is any
    folder in ``exclude`` (for example the output folder when it lies inside an input). Paths
    that do not exist are yielded as-is so the caller can report them as failures.
    """
    skip = {Path(p).resolve() for p in exclude}
    for raw in paths:
        path = Path(raw)
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


def plan_outputs(inputs: Iterable[InputFile], out_dir: str | os.PathLike) -> list[tuple[InputFile, Path]]:
    """Pair each input with its output path under ``out_dir``.

    Raises:
        UsageError: two inputs map to the same output path, or an output would overwrite an input.
    """
    out_dir = Path(out_dir)
    plan: list[tuple[InputFile, Path]] = []
    seen: dict[str, Path] = {}
    for item in inputs:
        dst = out_dir / item.rel
        key = os.path.normcase(str(dst.resolve()))
        if key in seen:
            raise UsageError(f"{item.path} and {seen[key]} would both be written to {dst}; strip them in separate runs")
        refuse_overwrite(dst, item.path, hint=IN_PLACE_HINT)
        seen[key] = item.path
        plan.append((item, dst))
    return plan
