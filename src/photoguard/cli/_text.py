"""The CLI's name for :func:`photoguard.text.printable`: everything it prints from a file goes through it."""

from photoguard.text import printable

__all__ = ["printable"]
