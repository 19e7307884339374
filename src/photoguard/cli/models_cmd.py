"""``photoguard models fetch|list|verify``: the local model store."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from photoguard.cli import EXIT_SOME_FAILED, app
from photoguard.models import registry

models_app = typer.Typer(help="Fetch, list and verify the model weight files (never downloads).", no_args_is_help=True)
app.add_typer(models_app, name="models")
_out = Console()


@models_app.command("fetch")
def fetch(
    source: Path | None = typer.Option(
        None, "--from", help="Mirror folder holding the weight files (default: $PHOTOGUARD_MODEL_MIRROR or ../shared/models)."
    ),
    store: Path | None = typer.Option(None, "--to", help="Model folder to fill (default: $PHOTOGUARD_MODELS or models/)."),
) -> None:
    """Copy the weight files from a local mirror folder, checking each sha256."""
    outcomes = registry.fetch_models(source, store=store)
    failed = 0
    for item in outcomes:
        mark = {"copied": "copied ", "present": "ok     ", "failed": "FAILED "}[item.status]
        print(f"{mark} {item.name:<20} {item.path}" + (f"  ({item.message})" if item.message else ""))
        failed += item.status == "failed"
    if failed:
        raise typer.Exit(EXIT_SOME_FAILED)


def _status_table(title: str) -> tuple[Table, int]:
    table = Table(title=title)
    for column in ("model", "state", "licence", "task", "path"):
        table.add_column(column, overflow="fold")
    bad = 0
    for name in registry.manifest():
        status = registry.model_status(name)
        colour = {"verified": "green", "missing": "yellow", "corrupt": "red"}[status.state]
        licence = status.spec.licence + ("" if status.spec.commercial_use else " [NON-COMMERCIAL]")
        table.add_row(name, f"[{colour}]{status.state}[/]", licence, status.spec.task, str(status.path or "-"))
        bad += status.state != "verified"
    return table, bad


@models_app.command("list")
def list_models() -> None:
    """Show every model in the manifest: present and verified, its licence and task."""
    table, _ = _status_table("photoguard models")
    Console(width=160).print(table)


@models_app.command("verify")
def verify() -> None:
    """Re-check the sha256 of every model file; exit 1 if any is missing or corrupt."""
    registry._verified.cache_clear()
    table, bad = _status_table("photoguard models verify")
    Console(width=160).print(table)
    if bad:
        raise typer.Exit(EXIT_SOME_FAILED)
