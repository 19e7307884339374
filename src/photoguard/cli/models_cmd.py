"""``photoguard models fetch|list|verify``: the local model store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from photoguard.cli import EXIT_SOME_FAILED, app
from photoguard.models import store as model_store

if TYPE_CHECKING:  # rich is imported by the commands that draw tables, not at CLI start-up
    from rich.table import Table

models_app = typer.Typer(help="Fetch, list and verify the model weight files (never downloads).", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("fetch")
def fetch(
    source: Path | None = typer.Option(
        None, "--from", help="Mirror folder holding the weight files (default: $PHOTOGUARD_MODEL_MIRROR or ../shared/models)."
    ),
    store: Path | None = typer.Option(None, "--to", help="Model folder to fill (default: $PHOTOGUARD_MODELS or models/)."),
) -> None:
    """Copy the weight files from a local mirror folder, checking each sha256."""
    outcomes = model_store.fetch_models(source, store=store)
    failed = 0
    for item in outcomes:
        mark = {"copied": "copied ", "present": "ok     ", "failed": "FAILED "}[item.status]
        print(f"{mark} {item.name:<20} {item.path}" + (f"  ({item.message})" if item.message else ""))
        failed += item.status == "failed"
    if failed:
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

    model_store._verified.cache_clear()
    table, problems = _status_table("photoguard models verify")
    Console(width=160).print(table)
    for message in problems:
        typer.echo(f"photoguard: error: {message}", err=True)
    if problems:
        raise typer.Exit(EXIT_SOME_FAILED)
