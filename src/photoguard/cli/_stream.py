"""``-`` as a file: a photo from standard input, the result to a file or standard output.

Shared by ``photoguard protect -`` and ``photoguard strip -``. A photo is never written to a
terminal; the line about it goes to standard error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from photoguard.errors import UsageError


def to_stdout(out: Path | None) -> bool:
    """Whether ``-o`` names standard output (no ``-o``, or ``-o -``)."""
    return out is None or str(out) == "-"


def read_photo(out: Path | None) -> bytes:
    """The photo on standard input, after checking that ``out`` is somewhere a photo may go.

    Raises:
        UsageError: the output would be the terminal, or standard input is empty.
    """
    if to_stdout(out) and sys.stdout.isatty():
        raise UsageError("refusing to write a photo to the terminal: redirect standard output or give -o FILE")
    data = sys.stdin.buffer.read()
    if not data:
        raise UsageError("no photo on standard input")
    return data


def write_photo(out: Path | None, data: bytes) -> str:
    """Write ``data`` to standard output or (atomically) to ``out``; returns where, for the line."""
    if to_stdout(out):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return "-"
    from photoguard.fileio import atomic_write_bytes

    assert out is not None
    atomic_write_bytes(out, data, replace=True)  # the file the user named with -o
    return str(out)
