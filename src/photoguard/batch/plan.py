"""Planning a batch: walk the inputs, apply include/exclude patterns, mirror every file below the
output folder and mark what will be skipped or cannot work, before anything is written."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from pathlib import Path

from photoguard.batch.operations import Operation, is_image_candidate
from photoguard.batch.paths import InputFile, iter_inputs, plan_outputs
from photoguard.batch.records import Job
from photoguard.errors import UsageError


def _matches(item: InputFile, patterns: Sequence[str]) -> bool:
    names = (item.rel.as_posix().lower(), item.path.name.lower())
    return any(fnmatchcase(name, pattern.lower()) for pattern in patterns for name in names)


def select(
    paths: Iterable[str | os.PathLike],
    *,
    recursive: bool = True,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    skip_dirs: Iterable[str | os.PathLike] = (),
) -> list[InputFile]:
    """Expand files and folders and apply the patterns (case-insensitive, on the file name or its
    path relative to the folder given). ``skip_dirs`` are never walked (the output folder)."""
    items = []
    for item in iter_inputs(paths, recursive=recursive, exclude=skip_dirs):
        if include and not _matches(item, include):
            continue
        if exclude and _matches(item, exclude):
            continue
        items.append(item)
    return items


def plan(
    paths: Iterable[str | os.PathLike],
    op: Operation,
    *,
    out: str | os.PathLike | None = None,
    in_place: bool = False,
    recursive: bool = True,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    skip_existing: bool = False,
) -> list[Job]:
    """Turn command-line paths into :class:`Job` s, mirroring folders below ``out``.

    Raises:
        UsageError: neither or both of ``out`` and ``in_place``; two inputs would be written to the
            same file; an output would overwrite an input; nothing matched.
    """
    if in_place == (out is not None):
        raise UsageError("give exactly one of -o OUT (write copies) or --in-place (modify the inputs)")
    if in_place and skip_existing:
        raise UsageError("--skip-existing needs -o OUT: in place, a protected photo cannot be told from the original")
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        raise UsageError("the output must be a folder", path=out)
    items = select(paths, recursive=recursive, include=include, exclude=exclude, skip_dirs=[out] if out else [])
    if not items:
        raise UsageError("no files to process (check the paths and the --include/--exclude patterns)")
    pairs: list[tuple[InputFile, Path, tuple[Path, ...]]]
    if in_place:
        pairs = [(item, item.path, ()) for item in items]
    else:
        assert out is not None  # checked above: without --in-place an output folder is required
        renamed = [(item, op.output_rel(item)) for item in items]
        mirrored = plan_outputs([InputFile(i.path, rel, i.from_folder) for i, (rel, _) in renamed], out)
        pairs = [
            (item, dst, tuple(dst.parent / a.name for a in alts))
            for (item, (_, alts)), (_, dst) in zip(renamed, mirrored)
        ]
    jobs = []
    for item, dst, alts in pairs:
        skip = error = None
        if item.from_folder and not is_image_candidate(item.path):
            skip = "not a supported image"
        elif skip_existing and any(p.is_file() for p in (dst, *alts)):
            skip = "output exists"
        elif in_place:
            error = op.check_in_place(item.path)
        jobs.append(Job(item.path, dst, alts, skip, error, in_place))
    return jobs
