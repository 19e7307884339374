"""Atomic file writing, with no third-party imports (the metadata strip path uses it, and its
start-up must stay small). :func:`photoguard.imageio.atomic_write_bytes` is this module's
:func:`atomic_write_bytes`.

An output can be written from pieces: new bytes, and :class:`Span` ranges of a source file that
are copied by the kernel (``os.copy_file_range``) without passing through Python. Stripping a
12 MP JPEG writes ~3 MB of which only a few hundred bytes are new; on Linux the span copy makes
the whole strip ~1.7x faster than read + write (benchmarks/results/metadata_strip.md).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from photoguard.errors import UsageError


@dataclass(frozen=True)
class Span:
    """Bytes ``start:end`` (offsets in bytes) of the source an output is assembled from."""

    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start


Piece = bytes | Span


def open_regular(path: str | os.PathLike) -> int:
    """A read-only descriptor of ``path`` if it is a regular file (symlinks followed).

    Opened with ``O_NONBLOCK`` and checked with ``fstat`` on the open descriptor, so a FIFO, a
    device or a socket is refused instead of blocking the caller, and the check cannot be raced.

    Raises:
        OSError: it cannot be opened; ``IsADirectoryError`` / ``OSError(ENODEV)`` for a folder or a
            file that is not a regular file.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file (a folder)", str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.ENODEV, "not a regular file (a pipe, device or socket)", str(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_error(exc: OSError) -> str:
    """Why a file could not be read, without its path: ``"not a regular file (a folder)"`` or
    ``"cannot read (Permission denied)"`` (the error that carries it names the file)."""
    if exc.errno in (errno.EISDIR, errno.ENODEV):
        return str(exc.strerror)
    return f"cannot read ({exc.strerror or exc})"


def refuse_overwrite(output: str | os.PathLike, source: str | os.PathLike, *, hint: str | None = None) -> None:
    """Refuse to write ``output`` when it is the input file ``source`` (symlinks followed): a
    user's photo is replaced only when they asked for it (``--in-place``).

    Raises:
        UsageError: about ``output``: ``"output would overwrite the input (HINT)"``.
    """
    output, source = Path(output), Path(source)
    if output.exists() and source.exists() and output.resolve() == source.resolve():
        raise UsageError("output would overwrite the input" + (f" ({hint})" if hint else ""), path=output)


def read_regular(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The bytes of a regular file (the first ``limit`` bytes when given); see :func:`open_regular`."""
    with os.fdopen(open_regular(path), "rb") as fh:
        return fh.read() if limit is None else fh.read(limit)


def join_pieces(source: bytes, pieces: Sequence[Piece]) -> bytes:
    """The output described by ``pieces`` as one bytes object (``source`` gives the spans)."""
    return b"".join(source[p.start : p.end] if isinstance(p, Span) else p for p in pieces)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, durable: bool = True, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` through a temp file in the same folder and ``os.replace``.

    Either the whole new file is there or the old state is untouched; the temp file is removed
    on any error. Parent folders are created.

    Args:
        path: the destination.
        data: the bytes to write.
        durable: fsync the file before the rename (default), so a crash cannot leave an empty
            file in place of the old one. False is faster for copies that can simply be redone.
        mode: permission bits of the new file; None (default) gives ``0o666`` minus the
            process umask, like ``open(path, "wb")``.
    """
    return _atomic(path, lambda fd: _write_all(fd, data), durable=durable, mode=mode)


def atomic_write_pieces(
    path: str | os.PathLike,
    pieces: Sequence[Piece],
    *,
    source_fd: int,
    source: bytes,
    durable: bool = True,
    mode: int | None = None,
) -> Path:
    """:func:`atomic_write_bytes` for an output made of new bytes and spans of a source file.

    Args:
        pieces: the output in order; a :class:`Span` is copied from the source file.
        source_fd: an open, readable descriptor of the source file (spans are copied from it
            with ``os.copy_file_range`` where the OS has it).
        source: the same file's bytes (an ``mmap`` or ``bytes``); spans are written from it
            where the kernel cannot copy between the two files.
        durable, mode: as for :func:`atomic_write_bytes`.
    """

    def write(fd: int) -> None:
        kernel_copy = hasattr(os, "copy_file_range")
        for piece in _coalesced(pieces):
            if not isinstance(piece, Span):
                _write_all(fd, piece)
                continue
            if kernel_copy:
                kernel_copy = _copy_range(source_fd, fd, piece)
            if not kernel_copy:
                with memoryview(source) as view, view[piece.start : piece.end] as part:
                    _write_all(fd, part)

    return _atomic(path, write, durable=durable, mode=mode)


def _coalesced(pieces: Sequence[Piece]) -> list[Piece]:
    """Adjacent spans merged (a JPEG's tables, scan headers and image data are one range)."""
    out: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, Span) and out and isinstance(out[-1], Span) and out[-1].end == piece.start:
            out[-1] = Span(out[-1].start, piece.end)
        else:
            out.append(piece)
    return out


def _copy_range(src: int, dst: int, span: Span) -> bool:
    """Copy a span in the kernel; False (nothing written) where it cannot be done there."""
    offset, left = span.start, len(span)
    while left:
        try:
            done = os.copy_file_range(src, dst, left, offset)
        except OSError as exc:
            # Not supported here (older kernels, some file systems, across devices): the
            # caller writes the span itself. Only possible before the first byte of a span.
            if offset == span.start and exc.errno in (
                errno.EXDEV,
                errno.ENOSYS,
                errno.EINVAL,
                errno.EOPNOTSUPP,
                errno.EBADF,
                errno.EPERM,
            ):
                return False
            raise
        if done == 0:
            raise OSError(errno.EIO, "source file shrank while it was being copied")
        offset += done
        left -= done
    return True


def _write_all(fd: int, data: bytes | memoryview) -> None:
    with memoryview(data) as view:
        done = 0
        while done < len(view):
            with view[done:] as rest:
                done += os.write(fd, rest)


def _atomic(path: str | os.PathLike, write: Callable[[int], None], *, durable: bool, mode: int | None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # os.open with 0o666 lets the kernel apply the umask (mkstemp would give 0600).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 random names taken
        raise FileExistsError(f"{path.parent}: cannot create a temporary file")
    try:
        try:
            write(fd)
            if mode is not None:
                os.chmod(fd, mode)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
