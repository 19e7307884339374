"""Planning a batch: walk the inputs, apply include/exclude patterns, mirror every file below the
output folder and mark what will be skipped or cannot work, before anything is written. Inputs
and the output folder may be URIs (:mod:`photoguard.batch.storage`), planned by the same rules."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from fnmatch import fnmatchcase
from pathlib import Path

from photoguard.batch import storage
from photoguard.batch.operations import Operation, ProtectOperation, is_image_candidate
from photoguard.batch.paths import IN_PLACE_HINT, InputFile, iter_inputs, plan_outputs
from photoguard.batch.records import Job
from photoguard.batch.storage import Location, RemotePath
from photoguard.errors import UsageError
from photoguard.fileio import in_place_problem, refuse_overwrite, write_problem


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
    overwrite: bool = False,
) -> list[Job]:
    """Turn command-line paths into :class:`Job` s, mirroring folders below ``out``.

    An output name that is taken (a file the run did not make: an earlier run's output, or another
    photo, ``IMG_1.jpg`` beside ``IMG_1.HEIC``) is skipped with ``skip_existing``, replaced with
    ``overwrite``, and otherwise refused before any work. A file with other hard links is not
    rewritten ``in_place`` (its ``error``: :func:`photoguard.fileio.in_place_problem`).

    Raises:
        UsageError: neither or both of ``out`` and ``in_place``; two inputs would be written to the
            same file; an output would overwrite an input; outputs exist (neither ``skip_existing``
            nor ``overwrite``); a local output folder cannot be written; nothing matched;
            ``in_place`` with a URI.
    """
    inputs = [storage.location(p) for p in paths]
    out_at = None if out is None else storage.location(out)
    if in_place == (out is not None):
        raise UsageError("give exactly one of -o OUT (write copies) or --in-place (modify the inputs)")
    if in_place and skip_existing:
        raise UsageError("--skip-existing needs -o OUT: in place, a protected photo cannot be told from the original")
    if skip_existing and overwrite:
        raise UsageError("give one of --skip-existing (keep outputs that exist) or --overwrite (replace them)")
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
    taken: list[Location] = []
    is_file = _file_test(out_at)
    for item, dst, alts in pairs:
        skip = error = None
        existing = [p for p in (dst, *alts) if not in_place and not _same(p, item.path) and is_file(p)]
        if item.from_folder and not is_image_candidate(item.path):
            skip = "not a supported image"
        elif skip_existing and existing:
            skip = "output exists"
        elif in_place:
            error = in_place_problem(item.path) if isinstance(item.path, Path) else None
            error = error or op.check_in_place(item.path)
        elif existing and not overwrite:
            taken.append(existing[0])
        jobs.append(Job(item.path, dst, alts, skip, error, in_place, overwrite))
    if taken:
        raise UsageError(_taken(taken))
    _check_writable(jobs)
    return jobs


def plan_file(
    source: Path, target: Path, op: ProtectOperation, *, skip_existing: bool = False, overwrite: bool = False
) -> Job:
    """The job for one photo written to the file the user named (``protect a.jpg -o b.jpg``): that
    name may be replaced (it was named), the other name it may take (``b.heic`` for a face-free
    HEIC, not named) only with ``overwrite``.

    Raises:
        UsageError: ``target`` is the input, its suffix does not fit the format written, the other
            name exists (neither ``skip_existing`` nor ``overwrite``), or its folder cannot be written.
    """
    refuse_overwrite(target, source, hint=IN_PLACE_HINT)
    rel, alts = op.output_for_file(source, target)
    others = [p for p in alts if p.is_file() and not _same(p, source)]
    skip = "output exists" if skip_existing and (rel.is_file() or others) else None
    if skip is None and others and not overwrite:
        raise UsageError(_taken(others))
    job = Job(source, rel, alts, skip, overwrite=True)
    _check_writable([job])
    return job


def _same(a: Location, b: Location) -> bool:
    """Whether two locations are the same file (local paths through symlinks and ``..``)."""
    if isinstance(a, Path) and isinstance(b, Path):
        return a.resolve() == b.resolve()
    return str(a) == str(b)


def _file_test(out: Location | None) -> Callable[[Location], bool]:
    """Whether an output exists: a local file is asked, an object store's output prefix is listed
    once (one request per photo would cost minutes on a large shoot)."""
    if not isinstance(out, RemotePath):
        return storage.is_file
    found = {str(p) for p in storage.walk(out)}
    return lambda path: str(path) in found


def _taken(taken: Sequence[Location]) -> str:
    """The usage error for outputs whose names are taken."""
    which = f"{taken[0]} exists" if len(taken) == 1 else f"{len(taken)} outputs exist (first {taken[0]})"
    return (
        f"{which} and would be replaced: add --skip-existing to keep what is there, or --overwrite "
        "to replace it (nothing was written)"
    )


def _check_writable(jobs: Sequence[Job]) -> None:
    """Refuse, before any work, a local output folder that cannot be written (read-only, no
    permission): found out after cloaking, every photo of the run would be lost work."""
    folders = dict.fromkeys(job.dst.parent for job in jobs if job.skip is None and isinstance(job.dst, Path))
    for folder in folders:
        problem = write_problem(folder)
        if problem is not None:
            raise UsageError(f"{problem}; nothing was done")


def _is_file(out: Location) -> bool:
    """Whether the output folder named is a file instead (on an object store: an object of that key)."""
    if isinstance(out, Path):
        return out.exists() and not out.is_dir()
    return storage.kind(out) == "file"
