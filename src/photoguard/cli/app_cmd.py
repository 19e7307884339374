"""``photoguard app``: start the web app on this computer."""

from __future__ import annotations

import typer

from photoguard.cli import app
from photoguard.errors import UsageError


@app.command("app")
def app_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind; 0.0.0.0 exposes the app to your network."),
    port: int = typer.Option(7860, "--port", min=1, max=65535, help="TCP port."),
    share: bool = typer.Option(
        False, "--share/--no-share", help="Create a public Gradio link (off: photos stay private)."
    ),
) -> None:
    """Open the photoguard web app: drop a photo, get a protected copy and a plain-language report."""
    try:
        from photoguard.app import launch
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("gradio", "gradio_client"):
            raise UsageError("the app needs Gradio: pip install 'photoguard[app]'") from None
        raise
    typer.echo(f"photoguard app on http://{host}:{port} (Ctrl+C to stop)")
    launch(host=host, port=port, share=share)
