"""``photoguard inspect`` and ``photoguard strip``: show and remove identifying metadata."""

from __future__ import annotations

import errno
from pathlib import Path

import typer

from photoguard.batch.paths import iter_inputs
from photoguard.cli import app
from photoguard.cli._text import printable
from photoguard.errors import BatchFailedError, PhotoguardError, UnsupportedImageError, UsageError, about
from photoguard.fileio import read_error, read_regular
from photoguard.metadata import MetadataReport, inspect_metadata
from photoguard.metadata.registry import HEAD_BYTES, detect
from photoguard.text import json_text


def _fail(path: Path | str, exc: Exception) -> None:
    typer.echo(printable(f"photoguard: error: {about(path, exc)}"), err=True)


def _debug() -> bool:
    from photoguard.cli import debugging

    return debugging()


@app.command("inspect")
def inspect_cmd(
    paths: list[Path] = typer.Argument(..., help="Image files or folders."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of reports."),
    recursive: bool = typer.Option(
        True, "--recursive/--no-recursive", "-r", help="Descend into sub-folders (default)."
    ),
) -> None:
    """Show the metadata in each photo, grouped, with privacy findings first (``-``: standard input)."""
    reports: list[dict] = []
    failed = 0
    if paths == [Path("-")]:
        import sys

        stdin = inspect_metadata(sys.stdin.buffer.read())
        stdin.path = "-"
        if as_json:
            typer.echo(json_text([{**stdin.to_dict(), "status": "done"}]))
        else:
            _show("-", stdin)
        return
    for item in iter_inputs(paths, recursive=recursive):
        assert isinstance(item.path, Path)  # typer made every argument a local Path
        if item.from_folder:
            try:
                if detect(read_regular(item.path, HEAD_BYTES)) is None:
                    continue  # not a photo (a sidecar, a note): skipped, as strip does
            except OSError as exc:
                if exc.errno not in (errno.EISDIR, errno.ENODEV):  # unreadable: said, not skipped in silence
                    unreadable = UnsupportedImageError(read_error(exc), path=item.path)
                    _fail(item.path, unreadable)
                    failed += 1
                    if as_json:
                        reports.append({"path": str(item.path), "status": "failed", "error": str(unreadable)})
                continue
        try:
            report = inspect_metadata(item.path)
        except PhotoguardError as exc:
            if _debug():
                raise
            _fail(item.path, exc)
            failed += 1
            if as_json:  # failures are part of the JSON too, so a script sees every file
                reports.append({"path": str(item.path), "status": "failed", "error": str(exc)})
            continue
        if as_json:
            reports.append({**report.to_dict(), "status": "done"})
            continue
        _show(str(item.path), report)
    if as_json:
        typer.echo(json_text(reports))
    if failed:
        # An exception, not typer.Exit: main() runs typer with standalone_mode=False, which
        # returns (and main() drops) the code of typer.Exit.
        raise BatchFailedError(f"{failed} file(s) could not be inspected")


def _show(name: str, report: MetadataReport) -> None:
    """One photo's report as text. Everything comes from the file: printed with control characters escaped."""
    typer.echo(printable(f"== {name} ({report.format})"))
    findings = report.findings
    typer.echo("  privacy findings: " + ("none" if not findings else ""))
    for text in findings:
        typer.echo(printable(f"    ! {text}"))
    for group, items in report.groups.items():
        typer.echo(printable(f"  [{group}]"))
        for i in items:
            typer.echo(printable(f"    {i.tag:<28} {i.value}"))


@app.command("strip")
def strip_cmd(
    paths: list[str] = typer.Argument(
        ...,
        help="Image files or folders (inputs are never modified without --in-place); local, or URIs (s3://bucket/shoot).",
    ),
    out: str | None = typer.Option(
        None, "-o", "--out", help="Output folder (a URI too); folder inputs are mirrored below it."
    ),
    in_place: bool = typer.Option(False, "--in-place", help="Replace the inputs themselves (atomic)."),
    recursive: bool = typer.Option(
        True, "--recursive/--no-recursive", "-r", help="Descend into sub-folders (default)."
    ),
    drop_icc: bool = typer.Option(False, "--drop-icc", help="Also drop the ICC colour profile."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of strip reports."),
    skip_existing: bool = typer.Option(
        False, "--skip-existing", help="Skip files whose output already exists: resumes an interrupted run."
    ),
    overwrite: bool = typer.Option(
        False,
        "--overwrite",
        help="Replace output files that already exist (without it, a taken name stops the run before any work).",
    ),
    include: list[str] = typer.Option(
        [],
        "--include",
        metavar="GLOB",
        help="Only files matching (name or path in the folder, case-insensitive). Repeatable.",
    ),
    exclude: list[str] = typer.Option([], "--exclude", metavar="GLOB", help="Leave out files matching. Repeatable."),
    jobs: int = typer.Option(
        0,
        "-j",
        "--jobs",
        min=0,
        help="Files processed in parallel (worker processes). 0 (default): one per CPU core, up to 4, for 16 files or more; else 1.",
    ),
    dry_run: bool = typer.Option(False, "-n", "--dry-run", help="Show what would be written; write nothing."),
    report: list[str] = typer.Option(
        [],
        "--report",
        metavar="FILE",
        help="Write one record per file to FILE.json, FILE.csv or FILE.parquet (a URI too; repeatable: several formats at once; a resumed run keeps the earlier records of skipped files).",
    ),
    quiet: bool = typer.Option(
        False, "-q", "--quiet", help="No progress bar and no per-file lines; errors and the summary only."
    ),
) -> None:
    """Remove GPS, names, serials, thumbnails, XMP/IPTC, C2PA and motion-photo data."""
    from photoguard.batch import DONE, StripOperation, check_report_path, default_workers, plan
    from photoguard.batch.storage import is_uri
    from photoguard.cli._batch_view import dry_run as show_plan
    from photoguard.cli._batch_view import execute, finish

    if paths == ["-"]:  # a pipe: bytes in, the stripped file's bytes out
        if out is not None and is_uri(out):
            raise UsageError("strip - writes to a local file or to standard output, not to a URI")
        _strip_stream(None if out is None else Path(out), keep_icc=not drop_icc, as_json=as_json)
        return
    for path in report:
        check_report_path(path)
    op = StripOperation(keep_icc=not drop_icc)
    planned = plan(
        paths,
        op,
        out=out,
        in_place=in_place,
        recursive=recursive,
        include=include,
        exclude=exclude,
        skip_existing=skip_existing,
        overwrite=overwrite,
    )
    if dry_run:
        show_plan(planned, op)
        return
    workers = jobs or default_workers(sum(1 for job in planned if job.skip is None and job.error is None))
    outcome = execute(planned, op, workers=workers, quiet=quiet or as_json, report=report, lines=not as_json)
    if as_json:  # every file: the strip report of the done ones, the error or reason of the others
        rows = [
            {"path": r.path, "output": r.output, "status": r.status, **(r.detail or {})}
            if r.status == DONE
            else {"path": r.path, "status": r.status, "error": r.error, "message": r.message}
            for r in outcome.records
        ]
        typer.echo(json_text(rows))
    finish(outcome, op, in_place=in_place)


def _strip_stream(out: Path | None, *, keep_icc: bool, as_json: bool) -> None:
    """``photoguard strip - [-o FILE|-]``: standard input to ``FILE`` or standard output (never a
    terminal); what was removed goes to standard error (or, with ``--json``, the report)."""
    from photoguard.cli._stream import read_photo, write_photo
    from photoguard.metadata import strip_bytes

    clean, report = strip_bytes(read_photo(out), keep_icc=keep_icc, name="standard input")
    where = write_photo(out, clean)
    removed = ", ".join(a.what for a in report.removed)
    line = (
        json_text(report.to_dict(), indent=None)
        if as_json
        else (f"stripped  - -> {where}: {'removed ' + removed if removed else 'nothing to remove'}")
    )
    typer.echo(printable(line), err=True)
