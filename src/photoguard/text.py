"""How text taken from a file (its name, its metadata) is written out: on a terminal, in JSON, in CSV.

Metadata values and file names come from the photo, i.e. from whoever made it: a PNG text chunk
can hold ``ESC ]0;...`` (retitle the window), ``ESC [2J`` (clear the screen) and a fake
``privacy findings: none``; a name can start with ``=`` (a formula to a spreadsheet). Three rules:

- :func:`printable`: everything the CLI prints from a file (control and format characters as
  visible escapes);
- :func:`json_text`: every JSON photoguard writes, valid UTF-8 whatever the file names hold;
- :func:`csv_cell`: every text cell of a CSV report, :func:`printable` and never a formula.

A file name that is not UTF-8 holds each undecodable byte as a lone surrogate (``0xFF`` ->
``\\udcff``, PEP 383). :func:`printable` shows it as ``\\xff``; in JSON it is the escape
``\\udcff``, which ``json.loads`` turns back into the same string, and ``os.fsencode`` of that
string gives the name's original bytes.

Example:
    >>> printable("a\\x1b[2Jb\\u202e")
    'a\\\\x1b[2Jb\\\\u202e'
    >>> text = json_text({"path": "caf\\udcc3.jpg", "name": "서울.jpg"}, indent=None)
    >>> text
    '{"path": "caf\\\\udcc3.jpg", "name": "서울.jpg"}'
    >>> os.fsencode(json.loads(text)["path"])
    b'caf\\xc3.jpg'
    >>> csv_cell("=HYPERLINK(1)"), csv_cell("\\x07bell.jpg")
    ("'=HYPERLINK(1)", '\\\\x07bell.jpg')
"""

from __future__ import annotations

import json
import os  # noqa: F401  (the example's)
import unicodedata
from typing import Any


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control and format characters (ESC, BEL, CR, bidi overrides, ...) and
    undecodable file-name bytes written as visible escapes; tabs and letters are kept."""
    return "".join(
        ch if ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs") else _escape(ch) for ch in text
    )


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """``value`` as JSON text: letters as they are (Korean stays readable), a file name's
    undecodable bytes as ``\\udcXX`` escapes, so the text is always valid UTF-8 JSON."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")  # only lone surrogates need it


#: What makes a spreadsheet read a cell as a formula (OWASP's list: ``=``, ``+``, ``-``, ``@``, tab).
_FORMULA_START = ("=", "+", "-", "@", "\t")


def csv_cell(text: str) -> str:
    """A text cell of a CSV report: :func:`printable` (no ESC or BEL reaches a terminal that shows
    the file), and a leading ``'`` where the cell would start a formula (``=cmd|' /C calc'!A0``
    named as a photo), which spreadsheets show as text and do not display."""
    cell = printable(text)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell
