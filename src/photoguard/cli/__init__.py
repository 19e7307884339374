"""The ``photoguard`` command line.

Each sub-command lives in its own module and registers itself on :data:`app`. Errors derived
from :class:`~photoguard.errors.PhotoguardError` become one line on stderr; exit codes are
0 (all done), 1 (some files failed) and 2 (usage error). ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import os
import sys

import typer

from photoguard.errors import PhotoguardError, UsageError

app = typer.Typer(
    name="photoguard",
    help=(
        "Protect photos before you post them: cloak faces against face-swap tools and strip "
        "the metadata that says who, where and with which device."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors.", envvar="PHOTOGUARD_DEBUG"),
) -> None:
    if debug:
        os.environ["PHOTOGUARD_DEBUG"] = "1"


def _register() -> None:
    # Imported for their side effect of adding commands to `app`.
    from photoguard.cli import models_cmd, faces_cmd  # noqa: F401

    for optional in ("protect_cmd", "metadata_cmd", "verify_cmd", "app_cmd"):
        try:
            __import__(f"photoguard.cli.{optional}")
        except ModuleNotFoundError as exc:
            if exc.name != f"photoguard.cli.{optional}":
                raise


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    _register()
    try:
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code:  # typer.Exit (Ctrl-C is Exit(130)) is returned, not raised
            if code == 130:
                print("photoguard: interrupted", file=sys.stderr)
            return code
    except UsageError as exc:
        print(f"photoguard: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PhotoguardError as exc:
        if os.environ.get("PHOTOGUARD_DEBUG"):
            raise
        print(f"photoguard: error: {exc}", file=sys.stderr)
        return EXIT_SOME_FAILED
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        print("photoguard: interrupted", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("photoguard: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # click usage errors and anything unexpected
        import click

        if isinstance(exc, click.exceptions.UsageError):
            exc.show()
            return EXIT_USAGE
        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return exc.exit_code
        if callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()  # typer >= 0.20 vendors click: its usage errors are not click's classes
            return exc.exit_code
        if os.environ.get("PHOTOGUARD_DEBUG"):
            raise
        print(f"photoguard: internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)", file=sys.stderr)
        return EXIT_SOME_FAILED
    return EXIT_OK
