"""Typed exceptions. Every error a user can cause derives from :class:`PhotoguardError`.

The CLI prints ``str(error)`` as one line and maps the class to an exit code; the
library never prints.
"""

from __future__ import annotations


class PhotoguardError(Exception):
    """Base class for every error photoguard raises on purpose."""


class UsageError(PhotoguardError):
    """The caller asked for something that cannot work (bad option, bad path)."""


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


class CorruptImageError(ImageError):
    """The file claims to be an image but cannot be decoded completely."""


class ImageTooLargeError(ImageError):
    """The image has more pixels than the configured limit (decompression-bomb guard)."""


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
