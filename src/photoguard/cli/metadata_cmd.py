"""``photoguard inspect`` and ``photoguard strip``: show and remove identifying metadata."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from photoguard.batch_paths import iter_inputs, plan_outputs
from photoguard.cli import app
from photoguard.errors import BatchFailedError, PhotoguardError, UsageError
from photoguard.metadata import inspect_metadata, strip_metadata
from photoguard.metadata.registry import HEAD_BYTES, detect


def _is_image(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return detect(fh.read(HEAD_BYTES)) is not None
    except OSError:
        return False


def _fail(path: Path | str, exc: Exception) -> None:
    msg = str(exc)
    typer.echo(f"photoguard: error: {msg if msg.startswith(str(path)) else f'{path}: {msg}'}", err=True)


def _debug() -> bool:
    return bool(os.environ.get("PHOTOGUARD_DEBUG"))


@app.command("inspect")
def inspect_cmd(
    paths: list[Path] = typer.Argument(..., help="Image files or folders."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of reports."),
    recursive: bool = typer.Option(True, "--recursive/--no-recursive", "-r", help="Descend into sub-folders (default)."),
) -> None:
    """Show the metadata in each photo, grouped, with privacy findings first."""
    reports, failed = [], 0
    for item in iter_inputs(paths, recursive=recursive):
        if item.from_folder and not _is_image(item.path):
            continue
        try:
            report = inspect_metadata(item.path)
        except PhotoguardError as exc:
            if _debug():
                raise
            _fail(item.path, exc)
            failed += 1
            continue
        if as_json:
            reports.append(report.to_dict())
            continue
        typer.echo(f"== {item.path} ({report.format})")
        findings = report.findings
        typer.echo("  privacy findings: " + ("none" if not findings else ""))
        for text in findings:
            typer.echo(f"    ! {text}")
        for group, items in report.groups.items():
            typer.echo(f"  [{group}]")
            for i in items:
                typer.echo(f"    {i.tag:<28} {i.value}")
    if as_json:
        typer.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    if failed:
        # An exception, not typer.Exit: main() runs typer with standalone_mode=False, which
        # returns (and main() drops) the code of typer.Exit.
        raise BatchFailedError(f"{failed} file(s) could not be inspected")


@app.command("strip")
def strip_cmd(
    paths: list[Path] = typer.Argument(..., help="Image files or folders (inputs are never modified without --in-place)."),
    out: Path | None = typer.Option(None, "-o", "--out", help="Output folder; folder inputs are mirrored below it."),
    in_place: bool = typer.Option(False, "--in-place", help="Replace the inputs themselves (atomic)."),
    recursive: bool = typer.Option(True, "--recursive/--no-recursive", "-r", help="Descend into sub-folders (default)."),
    drop_icc: bool = typer.Option(False, "--drop-icc", help="Also drop the ICC colour profile."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of strip reports."),
) -> None:
    """Remove GPS, names, serials, thumbnails, XMP/IPTC, C2PA and motion-photo data."""
    if in_place == (out is not None):
        raise UsageError("give exactly one of -o OUT (write copies) or --in-place (modify the inputs)")
    if out is not None and out.exists() and not out.is_dir():
        raise UsageError(f"{out}: the output must be a folder")
    inputs = list(iter_inputs(paths, recursive=recursive, exclude=[out] if out else []))
    plan = [(i, i.path) for i in inputs] if in_place else plan_outputs(inputs, out)
    failed, done, reports = 0, 0, []
    for item, dst in plan:
        if item.from_folder and not _is_image(item.path):
            if not as_json:
                typer.echo(f"skipped  {item.path} (not a supported image)")
            continue
        try:
            report = strip_metadata(item.path, None if in_place else dst, keep_icc=not drop_icc, in_place=in_place)
        except UsageError:
            raise
        except PhotoguardError as exc:
            if _debug():
                raise
            _fail(item.path, exc)
            failed += 1
            continue
        done += 1
        if as_json:
            reports.append(report.to_dict())
        else:
            removed = ", ".join(a.what for a in report.removed) or "nothing to remove"
            typer.echo(f"stripped {item.path} -> {dst}: removed {removed}")
    if as_json:
        typer.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    else:
        typer.echo(f"{done} file(s) stripped, {failed} failed")
    if failed:
        raise BatchFailedError(f"{failed} of {failed + done} file(s) failed; the others were stripped")
