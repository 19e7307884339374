"""The ``photoguard`` command line.

Each sub-command lives in its own module and registers itself on :data:`app`. Errors derived
from :class:`~photoguard.errors.PhotoguardError` become one line on stderr; exit codes are
0 (all done), 1 (some files failed), 2 (usage error) and 3 (``protect --fail-unprotected``: some
photo is not verified protected). ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from photoguard.cli._text import printable
from photoguard.errors import NotProtectedError, PhotoguardError, UsageError

app = typer.Typer(
    name="photoguard",
    help=(
        "Protect photos before you post them: cloak faces against face-swap tools and strip "
        "the metadata that says who, where and with which device."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no "<bool>" metavars on flags, text as written
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_NOT_PROTECTED = 0, 1, 2, 3

#: ``--debug`` (or ``$PHOTOGUARD_DEBUG``) for this run: tracebacks instead of one-line errors. Kept
#: here, not written into the environment (where it would leak into every later run in the process).
_debug = {"on": False}
#: ``-v/--verbose``, accepted anywhere on the command line (before or after the sub-command, as
#: exiftool and most tools do): per-file stage times and INFO logging.
_verbose = {"on": False}


def verbose() -> bool:
    """Whether ``-v/--verbose`` was given anywhere on the command line."""
    return _verbose["on"]


def _take_verbose(args: list[str]) -> list[str]:
    """``args`` without ``-v``/``--verbose`` (up to a ``--``), setting the flag when one was there."""
    out, rest = [], False
    for a in args:
        if not rest and a in ("-v", "--verbose"):
            _verbose["on"] = True
            continue
        rest = rest or a == "--"
        out.append(a)
    return out


def debugging() -> bool:
    """Whether this run shows tracebacks (``--debug``, or ``$PHOTOGUARD_DEBUG`` set)."""
    return _debug["on"] or bool(os.environ.get("PHOTOGUARD_DEBUG"))


def _show_version(value: bool) -> None:
    if value:
        from photoguard import __version__

        typer.echo(f"photoguard {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors.", envvar="PHOTOGUARD_DEBUG"),
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
    ),
    verbose_flag: bool = typer.Option(
        False, "-v", "--verbose", help="Per-photo stage times and more detail (accepted anywhere on the line)."
    ),
) -> None:
    _debug["on"] = debug


#: Sub-command name -> the module that adds it to :data:`app`.
COMMAND_MODULES = {
    "models": "models_cmd",
    "detect": "faces_cmd",
    "protect": "protect_cmd",
    "strip": "metadata_cmd",
    "inspect": "metadata_cmd",
    "verify": "verify_cmd",
    "app": "app_cmd",
}


def _register(args: list[str]) -> None:
    """Import the module of the sub-command named in ``args``, or all of them (for help, or an
    unknown name, so that click can list them). One module only keeps ``photoguard strip``'s
    start-up small: every command module pulls in its own dependencies."""
    name = next((a for a in args if not a.startswith("-")), None)
    modules = [COMMAND_MODULES[name]] if name in COMMAND_MODULES else dict.fromkeys(COMMAND_MODULES.values())
    for module in modules:
        importlib.import_module(f"photoguard.cli.{module}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    _debug["on"] = _verbose["on"] = False
    argv = _take_verbose(sys.argv[1:] if argv is None else list(argv))
    if _verbose["on"]:
        import logging

        logging.basicConfig(level=logging.INFO, format="photoguard: %(message)s")
    _register(argv)
    try:
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code:  # typer.Exit (Ctrl-C is Exit(130)) is returned, not raised
            if code == 130:
                print("photoguard: interrupted", file=sys.stderr)
            return code
    except UsageError as exc:
        print(printable(f"photoguard: error: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    except NotProtectedError as exc:
        print(printable(f"photoguard: {exc}"), file=sys.stderr)
        return EXIT_NOT_PROTECTED
    except PhotoguardError as exc:
        if debugging():
            raise
        print(printable(f"photoguard: error: {exc}"), file=sys.stderr)
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
        show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            show()  # typer >= 0.20 vendors click: its usage errors are not click's classes
            return exit_code
        if debugging():
            raise
        print(
            printable(f"photoguard: internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)"),
            file=sys.stderr,
        )
        return EXIT_SOME_FAILED
    return EXIT_OK
