"""``photoguard app``: start the web app on this computer."""

from __future__ import annotations

import ipaddress

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
    if not is_loopback(host):
        typer.echo(
            f"photoguard: warning: --host {host} lets every device that can reach this computer on port {port} "
            "open the app, upload photos and see the results, with no password. Use it only on a network you "
            "trust; the default, 127.0.0.1, keeps the app to this computer.",
            err=True,
        )
    typer.echo(f"photoguard app on http://{host}:{port} (Ctrl+C to stop)")
    launch(host=host, port=port, share=share)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this computer only (``127.0.0.1``, ``::1``, ``localhost``).

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0"), is_loopback("192.168.0.4")
    (True, True, False, False)
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface
