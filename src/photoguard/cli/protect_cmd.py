"""``photoguard protect``: cloak every face in photos, folders or whole shoots."""

from __future__ import annotations

from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from photoguard.cli import app
from photoguard.config import DEFAULT_PRESET, PRESETS
from photoguard.distributed.cluster import CONNECT_TIMEOUT_S
from photoguard.edits.config import AGAINST, DEFAULT_EDIT_STRENGTH, EDIT_PRESETS
from photoguard.errors import UsageError
from photoguard.formats import JPEG_QUALITY, MAX_JPEG_QUALITY, MIN_JPEG_QUALITY

if TYPE_CHECKING:
    from photoguard.batch.storage import Location
    from photoguard.pipeline.options import ProtectOptions

#: The strengths are the presets (one table: :data:`photoguard.config.PRESETS`).
Strength = Enum("Strength", {name: name for name in PRESETS}, type=str)  # type: ignore[misc]
#: The edit defence's strengths (one table: :data:`photoguard.edits.config.EDIT_PRESETS`).
EditStrength = Enum("EditStrength", {name: name for name in EDIT_PRESETS}, type=str)  # type: ignore[misc]
Against = StrEnum("Against", {name: name for name in AGAINST})  # type: ignore[misc]


class Device(StrEnum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


class EngineName(StrEnum):
    local = "local"
    ray = "ray"


_HELP = """Cloak every face in your photos and write copies without metadata.

Give photos and/or folders. Folders are mirrored below -o OUT (day1/IMG_0001.jpg and
day2/IMG_0001.jpg stay apart); your originals are never changed unless you ask for --in-place.
A photo without a face is copied with its metadata stripped, pixels untouched.

Examples:

\b
  photoguard protect portrait.jpg -o portrait_safe.jpg

  photoguard protect shoot/ -o delivered/ --skip-existing --jobs 2 --report delivered/report.csv

  photoguard protect /shared/archive -o /shared/safe --engine ray --address head:6379 --skip-existing

  photoguard protect s3://shoot/raw -o s3://shoot/safe --engine ray --report s3://shoot/safe/report.parquet

Photos, OUT and reports may be URIs of any filesystem pyarrow opens (s3://, gs://, file://);
credentials and endpoints come from its standard settings (AWS_* variables or ~/.aws, with
AWS_ENDPOINT_URL for an S3-compatible server; Google's application default credentials).

Each photo's line starts with the verdict of a held-out check (a face encoder the cloak did not
use): protected, partly protected, not protected, not checked, too small to cloak or no face. The
summary says what the verdict does not cover: other face-recognition models, other photos of the
person already public, editing apps that keep the face.

Exit codes: 0 all done, 1 some files failed (each is named on its own line), 2 usage error,
3 with --fail-unprotected when some photo is not verified protected (its file is still written).
Ctrl-C keeps finished files and leaves no partial one; rerun with --skip-existing to carry on.
"""


def _single_file_target(paths: list[Location], out: Location | None) -> Path | None:
    """``-o out.jpg`` for one local input photo names the output file itself (a URI is a folder)."""
    if not isinstance(out, Path) or len(paths) != 1 or not isinstance(paths[0], Path):
        return None
    if paths[0].is_dir() or out.is_dir() or str(out).endswith(("/", "\\")):
        return None
    return out if out.suffix else None


@app.command("protect", help=_HELP)
def protect_cmd(
    paths: list[str] = typer.Argument(
        ...,
        metavar="PHOTOS_OR_FOLDERS",
        help="Photos (JPEG, HEIC, PNG, TIFF, WebP) and/or folders of photos; local, or URIs (s3://bucket/shoot).",
    ),
    out: str | None = typer.Option(
        None,
        "-o",
        "--out",
        metavar="OUT",
        help="Output folder (mirrors the input folders; a URI is always a folder), or a file name for a single photo.",
    ),
    strength: Strength = typer.Option(
        Strength(DEFAULT_PRESET),
        "-s",
        "--strength",
        help=(
            "medium: the protection (a close-up can show it side by side); light: hardest to see, protects "
            "far fewer people; fast: seconds a face on a CPU, less protection; strong: the most protection, visible."
        ),
    ),
    against: list[Against] = typer.Option(
        [],
        "--against",
        help="Also defend against: edits (diffusion 'nudify' editing; a faint pattern over the whole photo, "
        "measured against TAEF2 only). The identity cloak is always on. Repeatable.",
    ),
    edit_strength: EditStrength = typer.Option(
        EditStrength(DEFAULT_EDIT_STRENGTH), "--edit-strength", help="Strength of --against edits."
    ),
    device: Device = typer.Option(
        Device.auto, "--device", help="Where the cloak runs: auto uses a CUDA GPU when there is one."
    ),
    recursive: bool = typer.Option(
        True,
        "--recursive/--no-recursive",
        "-r/-R",
        help="Descend into sub-folders (default; -R for the top folder only).",
    ),
    in_place: bool = typer.Option(
        False,
        "--in-place",
        help="Replace the originals (atomic: each photo is either the old or the new file, never half-written).",
    ),
    skip_existing: bool = typer.Option(
        False, "--skip-existing", help="Skip photos whose output already exists: resumes an interrupted run."
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
        help="Only files matching (name or path in the folder, case-insensitive), e.g. '*.jpg'. Repeatable.",
    ),
    exclude: list[str] = typer.Option(
        [], "--exclude", metavar="GLOB", help="Leave out files matching, e.g. 'rejects/*'. Repeatable."
    ),
    jobs: int = typer.Option(
        1,
        "-j",
        "--jobs",
        min=1,
        metavar="N",
        help="Photos processed in parallel (worker processes, each loading the models once).",
    ),
    engine: EngineName = typer.Option(
        EngineName.local,
        "--engine",
        help="local: this process and its --jobs workers; ray: Ray actors on this machine or a cluster (pip install 'photoguard[ray]').",
    ),
    address: str | None = typer.Option(
        None,
        "--address",
        metavar="ADDR",
        help="With --engine ray: the cluster's head (host:port, ray://host:10001, or auto); default a private local cluster. Every node must see the photos and OUT at the same path, or give them as URIs (s3://...).",
    ),
    connect_timeout: float = typer.Option(
        CONNECT_TIMEOUT_S,
        "--connect-timeout",
        min=1,
        metavar="SECONDS",
        help="With --engine ray --address: how long to wait for the cluster before giving up.",
    ),
    num_cpus: int | None = typer.Option(
        None,
        "--num-cpus",
        min=1,
        metavar="N",
        help="With --engine ray: N CPU actors (default: every CPU of the cluster).",
    ),
    num_gpus: int | None = typer.Option(
        None,
        "--num-gpus",
        min=1,
        metavar="G",
        help="With --engine ray: G GPU actors (one per GPU) instead of CPU actors.",
    ),
    dry_run: bool = typer.Option(False, "-n", "--dry-run", help="Show what would be written; write nothing."),
    report: list[str] = typer.Option(
        [],
        "--report",
        metavar="FILE",
        help="Write one record per photo to FILE.json, FILE.csv or FILE.parquet (verdict, faces, scores, PSNR, time, error; a URI too). Repeatable: several formats at once. With --skip-existing the earlier records of skipped photos are kept.",
    ),
    quiet: bool = typer.Option(
        False, "-q", "--quiet", help="No progress bar and no per-photo lines; errors and the summary only."
    ),
    jpeg_quality: int = typer.Option(
        JPEG_QUALITY,
        "--jpeg-quality",
        min=MIN_JPEG_QUALITY,
        max=MAX_JPEG_QUALITY,
        metavar="Q",
        help=f"Quality of JPEG outputs ({MIN_JPEG_QUALITY}-{MAX_JPEG_QUALITY}; lower erodes the cloak).",
    ),
    fail_unprotected: bool = typer.Option(
        False,
        "--fail-unprotected",
        help="Exit with code 3 unless every face of every photo is verified protected (for scripts).",
    ),
) -> None:
    """Cloak every face in photos and folders (see the help text above)."""
    from photoguard.batch import ProtectOperation, check_report_path, plan
    from photoguard.batch.plan import plan_file
    from photoguard.batch.storage import location
    from photoguard.cli._batch_view import dry_run as show_plan
    from photoguard.cli._batch_view import execute, finish

    for path in report:
        check_report_path(path)
    run_elsewhere = _engine(engine, address, num_cpus, num_gpus, jobs, connect_timeout)
    if device is Device.cuda and engine is EngineName.ray and num_gpus is None:
        raise UsageError("with --engine ray, --num-gpus G runs the cloak on G GPUs (CPU actors use the CPU)")
    if device is Device.cuda and engine is EngineName.local:
        import torch

        if not torch.cuda.is_available():  # fail now, not once per photo
            raise UsageError("--device cuda was asked for but no CUDA GPU is available (use --device auto or cpu)")
    from photoguard.pipeline.options import ProtectOptions

    options = ProtectOptions(
        strength=strength.value,
        against=("identity", *(a.value for a in against if a.value != "identity")),
        edit_strength=edit_strength.value,
        device=device.value,
        jpeg_quality=jpeg_quality,
    )
    inputs = [location(p) for p in paths]
    out_at = None if out is None else location(out)
    if inputs == [Path("-")]:  # a pipe: bytes in, the protected file's bytes out, the line on stderr
        if out_at is not None and not isinstance(out_at, Path):
            raise UsageError("protect - writes to a local file or to standard output, not to a URI")
        _protect_stream(out_at, options, fail_unprotected)
        return
    op = ProtectOperation(options)
    target = _single_file_target(inputs, out_at) if not in_place else None
    if target is not None:
        planned = [plan_file(Path(paths[0]), target, op, skip_existing=skip_existing, overwrite=overwrite)]
    else:
        planned = plan(
            inputs,
            op,
            out=out_at,
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
    finish(
        execute(planned, op, workers=jobs, quiet=quiet, report=report, engine=run_elsewhere),
        op,
        fail_unprotected=fail_unprotected,
        in_place=in_place,
    )


def _engine(
    engine: EngineName,
    address: str | None,
    num_cpus: int | None,
    num_gpus: int | None,
    jobs: int,
    connect_timeout: float = CONNECT_TIMEOUT_S,
):
    """The Ray engine bound to its options, or None for the local one.

    Raises:
        UsageError: a Ray option without ``--engine ray``, ``--jobs`` with it, or Ray not installed.
    """
    ray_options = {"--address": address, "--num-cpus": num_cpus, "--num-gpus": num_gpus}
    if engine is EngineName.local:
        given = [name for name, value in ray_options.items() if value is not None]
        if given:
            raise UsageError(f"{', '.join(given)} {'needs' if len(given) == 1 else 'need'} --engine ray")
        return None
    if jobs != 1:
        raise UsageError("--jobs is for the local engine; with --engine ray give --num-cpus N (N actors)")
    from functools import partial

    from photoguard.distributed.cluster import import_ray
    from photoguard.distributed.engine import run_ray

    import_ray()  # fail now when Ray is missing, before the plan
    return partial(run_ray, address=address, num_cpus=num_cpus, num_gpus=num_gpus, connect_timeout=connect_timeout)


def _protect_stream(out: Path | None, options: ProtectOptions, fail_unprotected: bool) -> None:
    """``photoguard protect - [-o FILE|-]``: the photo from standard input, the protected file to
    ``FILE`` or standard output (never a terminal), the verdict line on standard error."""
    from photoguard.cli._stream import read_photo, write_photo
    from photoguard.cli._text import printable
    from photoguard.errors import NotProtectedError
    from photoguard.pipeline import protect_photo_bytes
    from photoguard.types import Verdict

    encoded, result = protect_photo_bytes(read_photo(out), options)
    where = write_photo(out, encoded)
    typer.echo(printable(f"{result.headline}  - -> {where}: {result.details}"), err=True)
    if fail_unprotected and result.verdict not in (Verdict.PROTECTED, Verdict.NO_FACE):
        raise NotProtectedError(f"1 photo(s) not fully protected: {result.headline}")
