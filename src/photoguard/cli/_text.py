"""Text that is safe to print on a terminal.

Metadata values and file names come from the photo, i.e. from whoever made it: a PNG text chunk
can hold ``ESC ]0;...`` (retitle the window), ``ESC [2J`` (clear the screen) and a fake
``privacy findings: none``. Everything the CLI prints from a file goes through :func:`printable`.

Example:
    >>> printable("a\\x1b[2Jb\\u202e")
    'a\\\\x1b[2Jb\\\\u202e'
"""

from __future__ import annotations

import unicodedata


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
