"""Planning a batch: walk the inputs, apply include/exclude patterns, mirror every file below the
output folder and mark what will be skipped or cannot work, before anything is written. Inputs
and the output folder may be URIs (:mod:`photoguard.batch.storage`), planned by the same rules."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from pathlib import Path

from photoguard.batch import storage
from photoguard.batch.operations import Operation, is_image_candidate
from photoguard.batch.paths import InputFile, iter_inputs, plan_outputs
from photoguard.batch.records import Job
from photoguard.batch.storage import Location, RemotePath
from photoguard.errors import UsageError


def _matches(item: InputFile, patterns: Sequence[str]) -> bool:
    names = (item.rel.as_posix().lower(), item.path.name.lower())
    return any(fnmatchcase(name, pattern.lower()) for pattern in patterns for name in names)


def select(
    paths: Iterable[str | os.PathLike | RemotePath],
    *,
    recursive: bool = True,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    skip_dirs: Iterable[str | os.PathLike | RemotePath] = (),
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
    paths: Iterable[str | os.PathLike | RemotePath],
    op: Operation,
    *,
    out: str | os.PathLike | RemotePath | None = None,
    in_place: bool = False,
    recursive: bool = True,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    skip_existing: bool = False,
) -> list[Job]:
    """Turn command-line paths into :class:`Job` s, mirroring folders below ``out``.

    Raises:
        UsageError: neither or both of ``out`` and ``in_place``; two inputs would be written to the
            same file; an output would overwrite an input; nothing matched; ``in_place`` with a URI.
    """
    inputs = [storage.location(p) for p in paths]
    out_at = None if out is None else storage.location(out)
    if in_place == (out is not None):
        raise UsageError("give exactly one of -o OUT (write copies) or --in-place (modify the inputs)")
    if in_place and skip_existing:
        raise UsageError("--skip-existing needs -o OUT: in place, a protected photo cannot be told from the original")
    if in_place and any(isinstance(p, RemotePath) for p in inputs):
        raise UsageError("--in-place works on local files only: give -o OUT for URIs")
    if out_at is not None and _is_file(out_at):
        raise UsageError("the output must be a folder", path=str(out_at))
    items = select(inputs, recursive=recursive, include=include, exclude=exclude, skip_dirs=[out_at] if out_at else [])
    if not items:
        raise UsageError("no files to process (check the paths and the --include/--exclude patterns)")
    pairs: list[tuple[InputFile, Location, tuple[Location, ...]]]
    if in_place:
        pairs = [(item, item.path, ()) for item in items]
    else:
        assert out_at is not None  # checked above: without --in-place an output folder is required
        renamed = [(item, op.output_rel(item)) for item in items]
        mirrored = plan_outputs([InputFile(i.path, rel, i.from_folder) for i, (rel, _) in renamed], out_at)
        pairs = [
            (item, dst, tuple(dst.parent / a.name for a in alts))
            for (item, (_, alts)), (_, dst) in zip(renamed, mirrored)
        ]
    jobs = []
    for item, dst, alts in pairs:
        skip = error = None
        if item.from_folder and not is_image_candidate(item.path):
            skip = "not a supported image"
        elif skip_existing and any(storage.is_file(p) for p in (dst, *alts)):
            skip = "output exists"
        elif in_place:
            error = op.check_in_place(item.path)
        jobs.append(Job(item.path, dst, alts, skip, error, in_place))
    return jobs


def _is_file(out: Location) -> bool:
    """Whether the output folder named is a file instead (on an object store: an object of that key)."""
    if isinstance(out, Path):
        return out.exists() and not out.is_dir()
    return storage.kind(out) == "file"
