"""Typed exceptions. Every error a user can cause derives from :class:`PhotoguardError`.

An error carries its message and, apart, the file it is about (``path``); ``str(error)`` is
``"PATH: message"``, the one line the CLI prints before mapping the class to an exit code. A
front end that names files its own way (the app shows the uploaded name) reads
``error.message``. The library never prints.

Example::

    >>> error = CorruptImageError("cannot decode image (truncated)", path="shoot/IMG_1.jpg")
    >>> str(error)
    'shoot/IMG_1.jpg: cannot decode image (truncated)'
    >>> error.message, error.path
    ('cannot decode image (truncated)', 'shoot/IMG_1.jpg')
"""

from __future__ import annotations

import errno
import os
from typing import Any, Self


class PhotoguardError(Exception):
    """Base class for every error photoguard raises on purpose.

    Args:
        message: what went wrong, without the file's path.
        path: the file or folder it is about (a path, or a name such as ``"<stdin>"``), or None.
    """

    def __init__(self, message: str = "", *, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path: str | None = None if path is None else os.fspath(path)

    def __str__(self) -> str:
        return self.message if self.path is None else f"{self.path}: {self.message}"

    def at(self, path: str | os.PathLike[str]) -> Self:
        """This error, about ``path`` unless it already names its file (then unchanged)."""
        if self.path is None:
            self.path = os.fspath(path)
        return self


def about(path: str | os.PathLike[str], error: BaseException | str) -> str:
    """The one line for ``error`` met while working on ``path``: ``"PATH: message"``, the path
    named once (an error about another file keeps that name too: ``"PATH: OTHER: message"``)."""
    if isinstance(error, PhotoguardError) and error.path == os.fspath(path):
        return str(error)
    return f"{os.fspath(path)}: {error}"


class UsageError(PhotoguardError):
    """The caller asked for something that cannot work (bad option, bad path)."""


class OutputExistsError(UsageError):
    """The file to write exists, and replacing it was not asked for (``--overwrite``,
    ``overwrite=True``, or naming that file as the output): nothing is written."""


class SourceTypeError(UsageError, TypeError):
    """A function was given a kind of object it does not read (a decoded PIL image where the
    file's bytes are needed); a :class:`TypeError` too."""


# --- models -----------------------------------------------------------------


class ModelError(PhotoguardError):
    """A model weight file is missing, corrupt or unknown."""


class ModelNotFoundError(ModelError):
    """The weight file is not in any model folder."""


class ModelChecksumError(ModelError):
    """The weight file exists but its sha256 does not match the manifest."""


# --- images -----------------------------------------------------------------


class ImageError(PhotoguardError):
    """An input image cannot be used."""


class UnsupportedImageError(ImageError):
    """The file is not an image format photoguard reads."""


class ImageNotFoundError(UnsupportedImageError, FileNotFoundError):
    """The file does not exist; a :class:`FileNotFoundError` too (``errno`` ``ENOENT``,
    ``filename`` the path), so ``except FileNotFoundError`` catches it.

    Example::

        >>> error = ImageNotFoundError(path="selfie.jpg")
        >>> isinstance(error, FileNotFoundError), str(error), error.filename
        (True, 'selfie.jpg: no such file', 'selfie.jpg')
    """

    def __init__(self, message: str = "no such file", *, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(message, path=path)
        self.errno, self.strerror, self.filename = errno.ENOENT, message, self.path

    def __setstate__(self, state: dict[str, Any] | None) -> None:  # unpickled (a worker process sent it back)
        self.__dict__.update(state or {})
        self.filename = self.path

    def at(self, path: str | os.PathLike[str]) -> Self:
        super().at(path)
        self.filename = self.path
        return self


class CorruptImageError(ImageError):
    """The file claims to be an image but cannot be decoded completely."""


class ImageTooLargeError(ImageError):
    """The image has more pixels than the limit (100 million by default,
    :data:`photoguard.imageio.DEFAULT_MAX_PIXELS`)."""


# --- metadata -----------------------------------------------------------------


class MetadataError(PhotoguardError):
    """A file's metadata cannot be read or removed safely."""


class UnsupportedFormatError(MetadataError, UnsupportedImageError):
    """No metadata handler exists for this file format."""


class CorruptMetadataError(MetadataError, CorruptImageError):
    """The file's container structure (JPEG segments, PNG chunks, RIFF chunks, TIFF IFDs) is
    broken or truncated, so it cannot be rewritten safely. Nothing is written."""


class ReportError(PhotoguardError):
    """A batch report could not be written (the files themselves were); exit code 1."""


class BatchFailedError(PhotoguardError):
    """Some files of a batch failed (each already reported on its own line); exit code 1."""


class NotProtectedError(PhotoguardError):
    """Asked to fail unless every face is verified protected, and some photo is not; exit code 3.
    The files are written (each is still better than the original)."""
