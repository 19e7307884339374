"""Where a batch's files live: a local path, or a URI of any filesystem ``pyarrow.fs`` opens
(``s3://bucket/prefix``, ``gs://bucket/prefix``, ``file:///abs/path``, HDFS…).

A URI names a :class:`RemotePath` (a ``file://`` URI of this machine is a local path); everything
else stays a :class:`pathlib.Path` and keeps the local code path (symlinks, permissions, ``--in-place``). Credentials and endpoints come from the
filesystem's own standard configuration, never from the URI or a photoguard option: for S3 the
``AWS_*`` variables and ``~/.aws`` (``AWS_ENDPOINT_URL`` for an S3-compatible server such as
MinIO), for GCS the Application Default Credentials. The text after ``scheme://authority`` is the
key as it is, so a key holding ``?``, ``#`` or ``%`` keeps its name (no query options in a URI).

Example:
    >>> photo = location("s3://shoot/day1/IMG_0001.jpg")
    >>> photo.name, photo.suffix, str(photo.parent / "IMG_0002.jpg")
    ('IMG_0001.jpg', '.jpg', 's3://shoot/day1/IMG_0002.jpg')
    >>> location("day1/IMG_0001.jpg")
    PosixPath('day1/IMG_0001.jpg')
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath
from typing import Any, TypeAlias

from photoguard.errors import ImageNotFoundError, UnsupportedImageError, UsageError

#: ``scheme://`` at the start of a name: a URI (a local path never holds ``//`` after a name).
_URI = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/]*)(?P<key>.*)$")


@dataclass(frozen=True)
class RemotePath:
    """A file or folder (prefix) on a ``pyarrow.fs`` filesystem, named by its URI.

    Attributes:
        origin: scheme and authority: ``"s3://bucket"``, ``"gs://bucket"``, ``"file://"``.
        key: the path below ``origin``, ``/``-separated, no leading or trailing ``/``
            (``""`` for the bucket or filesystem root).
    """

    origin: str
    key: str

    def __str__(self) -> str:
        return f"{self.origin}/{self.key}"

    @property
    def name(self) -> str:
        return posixpath.basename(self.key)

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix if self.name else ""

    @property
    def parent(self) -> RemotePath:
        return RemotePath(self.origin, posixpath.dirname(self.key))

    def __truediv__(self, other: str | PurePath) -> RemotePath:
        tail = PurePosixPath(other).as_posix() if isinstance(other, PurePath) else str(other)
        if tail.startswith("/") or ".." in PurePosixPath(tail).parts:
            raise UsageError(f"{tail!r} is not a name below {self}")
        joined = posixpath.normpath(posixpath.join(self.key, tail))
        return RemotePath(self.origin, "" if joined == "." else joined)


#: A batch file: local (:class:`~pathlib.Path`) or on a ``pyarrow.fs`` filesystem (:class:`RemotePath`).
Location: TypeAlias = Path | RemotePath


def is_uri(text: str | os.PathLike[str]) -> bool:
    """Whether ``text`` is a URI (``scheme://…``) rather than a local path."""
    return isinstance(text, str) and _URI.match(text) is not None


def location(text: str | os.PathLike[str] | RemotePath) -> Location:
    """A :class:`RemotePath` for a URI, a :class:`~pathlib.Path` for anything else.

    Raises:
        UsageError: a URI with ``..`` in its key.
    """
    if isinstance(text, RemotePath):
        return text
    match = _URI.match(text) if isinstance(text, str) else None
    if match is None:
        return Path(text)
    if match["scheme"].lower() == "file" and match["authority"] in ("", "localhost"):
        # a file on this machine: a local path, with every local rule (never over an input,
        # in place through symlinks, permissions kept)
        return Path("/" + match["key"].lstrip("/"))
    key = match["key"].strip("/")
    if ".." in key.split("/"):
        raise UsageError("a URI's key cannot hold '..'", path=text)
    return RemotePath(f"{match['scheme'].lower()}://{match['authority']}", "/".join(p for p in key.split("/") if p))


@functools.cache
def _filesystem(origin: str) -> tuple[Any, str]:
    """``(pyarrow filesystem, its path of origin)``, one per origin and process (an S3 client is
    costly to set up; a Ray actor keeps it for every photo).

    Raises:
        UsageError: pyarrow is missing, or it does not know the scheme or cannot set it up.
    """
    try:
        import pyarrow.fs as pafs
    except ImportError:
        raise UsageError("reading and writing URIs needs pyarrow: pip install 'photoguard[ray]'") from None
    try:
        fs, root = pafs.FileSystem.from_uri(origin + "/")
    except (ValueError, OSError, NotImplementedError) as exc:  # an unknown scheme, a bad endpoint, a
        # filesystem this pyarrow build lacks (ArrowNotImplementedError)
        raise UsageError(f"cannot open this filesystem: {exc}", path=origin) from None
    return fs, root if root == "/" else root.rstrip("/")


def _fs_path(path: RemotePath) -> tuple[Any, str]:
    fs, root = _filesystem(path.origin)
    return fs, posixpath.join(root, path.key) if path.key else root


def is_file(path: Location) -> bool:
    """Whether ``path`` is a file (an object, on an object store); False on any error."""
    if isinstance(path, Path):
        return path.is_file()
    import pyarrow.fs as pafs

    fs, key = _fs_path(path)
    try:
        return bool(fs.get_file_info(key).type == pafs.FileType.File)
    except OSError:
        return False


def modified(path: Location) -> float | None:
    """When ``path`` was last written (epoch seconds), or None when it is not there or cannot be asked."""
    try:
        if isinstance(path, Path):
            return path.stat().st_mtime
        fs, key = _fs_path(path)
        info = fs.get_file_info(key)
    except OSError:
        return None
    return info.mtime.timestamp() if info.mtime is not None else None


def read_bytes(path: Location, limit: int | None = None) -> bytes:
    """The content of a file (its first ``limit`` bytes when given): a local one through
    :func:`photoguard.fileio.read_regular` (a FIFO or device is refused, never read), a remote one
    through ``pyarrow.fs``.

    Raises:
        OSError: a local file that is not there or cannot be read.
        UnsupportedImageError: a remote file that is not there or cannot be read (the reason in the message).
    """
    if isinstance(path, Path):
        from photoguard.fileio import read_regular

        return read_regular(path, limit)
    fs, key = _fs_path(path)
    try:
        with fs.open_input_stream(key) as stream:
            return bytes(stream.read() if limit is None else stream.read(limit))
    except FileNotFoundError:
        raise ImageNotFoundError(path=str(path)) from None
    except OSError as exc:
        raise UnsupportedImageError(f"cannot read ({_first_line(exc)})", path=str(path)) from None


def write_bytes(path: Location, data: bytes, *, replace: bool = False) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees part of it: a local file or a
    ``file://`` one through a hidden temp name and a rename; an object on an object store (S3,
    GCS) is created only when its upload completes. A local file already there is replaced only
    with ``replace`` (:func:`photoguard.fileio.atomic_write_bytes`); an object store cannot refuse
    atomically, so there the plan's check (:func:`photoguard.batch.plan`) is the guard.

    Raises:
        OutputExistsError: a local file is there and ``replace`` is False.
        OSError: it cannot be written (the batch turns that into a ``failed`` record).
    """
    from photoguard.fileio import atomic_write_bytes

    if isinstance(path, Path):
        atomic_write_bytes(path, data, durable=False, replace=replace)
        return
    import pyarrow.fs as pafs

    fs, key = _fs_path(path)
    if not isinstance(fs, pafs.LocalFileSystem):  # an object appears once its upload completed; no
        # folder markers created (they cost requests and need more than PutObject permission)
        with fs.open_output_stream(key) as stream:
            stream.write(data)
        return
    fs.create_dir(posixpath.dirname(key), recursive=True)
    temp = posixpath.join(posixpath.dirname(key), f".{posixpath.basename(key)}.photoguard-{os.getpid()}")
    try:
        with fs.open_output_stream(temp) as stream:
            stream.write(data)
        fs.move(temp, key)
    except BaseException:
        try:
            fs.delete_file(temp)
        except OSError:
            pass
        raise


def kind(path: RemotePath) -> str:
    """``"file"``, ``"folder"`` (a prefix with something below it) or ``"missing"``.

    Raises:
        UsageError: the filesystem cannot be asked (no such bucket, no credentials, no network).
    """
    import pyarrow.fs as pafs

    fs, key = _fs_path(path)
    try:
        found = fs.get_file_info(key).type
    except OSError as exc:
        raise UsageError(f"cannot list it: {_first_line(exc)}", path=str(path)) from None
    return {pafs.FileType.File: "file", pafs.FileType.Directory: "folder"}.get(found, "missing")


def walk(root: RemotePath, *, recursive: bool = True, skip: tuple[RemotePath, ...] = ()) -> Iterator[RemotePath]:
    """The files below ``root`` in the order :func:`os.walk` gives a local folder's (sorted; the
    files of a folder before its sub-folders), without hidden names (``.`` first, at any level)
    and without anything below ``skip`` (the output prefix, when it lies inside an input).

    Raises:
        UsageError: the filesystem cannot be listed.
    """
    import pyarrow.fs as pafs

    fs, top = _fs_path(root)
    try:
        infos = fs.get_file_info(pafs.FileSelector(top, recursive=recursive, allow_not_found=True))
    except OSError as exc:
        raise UsageError(f"cannot list it: {_first_line(exc)}", path=str(root)) from None
    skipped = tuple(str(s) + "/" for s in skip if s.origin == root.origin)
    found = []
    for info in infos:
        rel = posixpath.relpath(info.path, top) if top not in ("", "/") else info.path.lstrip("/")
        parts = rel.split("/")
        path = root / rel
        if info.type != pafs.FileType.File or any(p.startswith(".") for p in parts):
            continue
        if any((str(path) + "/").startswith(prefix) for prefix in skipped):
            continue
        found.append(((*((1, p) for p in parts[:-1]), (0, parts[-1])), path))
    return iter(path for _, path in sorted(found))


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]
