"""Atomic file writing, with no third-party imports (the metadata strip path uses it, and its
start-up must stay small). :func:`photoguard.imageio.atomic_write_bytes` is this module's
:func:`atomic_write_bytes`.

An output can be written from pieces: new bytes, and :class:`Span` ranges of a source file that
are copied by the kernel (``os.copy_file_range``) without passing through Python. Stripping a
12 MP JPEG writes ~3 MB of which only a few hundred bytes are new; on Linux the span copy makes
the whole strip ~1.7x faster than read + write (benchmarks/results/metadata_strip.md).

A write never replaces a file unless its caller says so (``replace=True``): without it the new file
is linked into place (``os.link`` fails when the name is taken), so no check-then-write race can
replace a photo that appeared in the meantime. Temporary files carry the process id and a tag of
the machine that made them (:func:`temp_name`), so a later run can tell the temporaries of a killed
run from those of a live one and remove them (:func:`remove_stale_temporaries`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from photoguard.errors import OutputExistsError, UsageError


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


def in_place_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be replaced in place, or None: a file with other hard links (``ln a b``)
    would keep its original, metadata and all, under the other names, since an atomic replace
    gives this name a new file and leaves the old one to the others. Refused rather than rewritten
    through the shared inode: that rewrite is not atomic (a crash halfway would leave the only copy
    half-written), and the user may not know the other names exist."""
    try:
        links = Path(path).stat().st_nlink  # through a symlink: the real file's links
    except OSError:
        return None  # a missing or unreadable file is reported when it is read
    if links > 1:
        return (
            f"has {links - 1} other hard link(s): in place, the original (metadata and all) would stay "
            "under the other name(s); write a copy with -o OUT, or remove the other links first"
        )
    return None


def refuse_hard_links(path: str | os.PathLike) -> None:
    """Raise :class:`UsageError` about ``path`` when :func:`in_place_problem` finds one."""
    problem = in_place_problem(path)
    if problem is not None:
        raise UsageError(problem, path=path)


#: Six hex digits naming this machine in temporary file names (a folder may be shared between
#: machines over NFS: only the machine whose process made a temporary can tell whether it is alive).
HOST_TAG = hashlib.sha256(os.uname().nodename.encode() if hasattr(os, "uname") else b"").hexdigest()[:6]

#: A temporary of :func:`atomic_write_bytes` (``.NAME.RANDOM.PID-HOST.part``) or of an in-place
#: rewrite (``.STEM.photoguard-PID-HOST.SUFFIX``, :func:`sibling_temp`).
_TEMPORARY = re.compile(
    r"^\.(?:.+\.[0-9a-f]{8}\.(?P<pid>\d+)-(?P<host>[0-9a-f]{6})\.part"
    r"|.+\.photoguard-(?P<spid>\d+)-(?P<shost>[0-9a-f]{6})\.[^.]+)$"
)


def temp_name(name: str) -> str:
    """A hidden temporary name for writing ``name`` in its folder (hidden files are never walked)."""
    return f".{name}.{secrets.token_hex(4)}.{os.getpid()}-{HOST_TAG}.part"


def sibling_temp(src: Path) -> Path:
    """A hidden name next to ``src`` with the same suffix, for a photo rewritten in place (the
    library checks an output's suffix against its format)."""
    return src.with_name(f".{src.stem}.photoguard-{os.getpid()}-{HOST_TAG}{src.suffix}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """The temporaries in ``folder`` (not below it) left by processes of this machine that are no
    longer running (killed with SIGKILL, a crash, a power cut). Those of live processes, of other
    machines and any other file are never listed."""
    try:
        entries = list(os.scandir(os.fspath(folder)))
    except OSError:
        return []
    stale = []
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        pid, host = (match["pid"], match["host"]) if match["pid"] else (match["spid"], match["shost"])
        if host == HOST_TAG and not _alive(int(pid)):
            stale.append(Path(entry.path))
    return sorted(stale)


def remove_stale_temporaries(folders: Iterable[str | os.PathLike]) -> list[Path]:
    """Delete :func:`stale_temporaries` of every folder; returns what was deleted."""
    removed = []
    for folder in dict.fromkeys(Path(f) for f in folders):
        for path in stale_temporaries(folder):
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


def write_problem(folder: str | os.PathLike) -> str | None:
    """Why a new file cannot be created in ``folder`` (or, when it does not exist yet, in its
    nearest existing parent, where it would be made), or None. Checked by creating and removing an
    empty temporary: a read-only file system, permissions and ACLs all answer as a write would."""
    at = Path(folder)
    while not at.exists() and at != at.parent:
        at = at.parent
    if not at.is_dir():
        return f"{at} is not a folder"
    probe = at / temp_name("photoguard-write-check")
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        return f"cannot write in {at} ({exc.strerror or exc})"
    try:
        probe.unlink()
    except OSError:
        pass
    return None


def read_regular(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The bytes of a regular file (the first ``limit`` bytes when given); see :func:`open_regular`."""
    with os.fdopen(open_regular(path), "rb") as fh:
        return fh.read() if limit is None else fh.read(limit)


def join_pieces(source: bytes, pieces: Sequence[Piece]) -> bytes:
    """The output described by ``pieces`` as one bytes object (``source`` gives the spans)."""
    return b"".join(source[p.start : p.end] if isinstance(p, Span) else p for p in pieces)


def atomic_write_bytes(
    path: str | os.PathLike, data: bytes, *, durable: bool = True, mode: int | None = None, replace: bool = False
) -> Path:
    """Write ``data`` to ``path`` through a temp file in the same folder, then link or rename it there.

    Either the whole new file is there or the old state is untouched; the temp file is removed
    on any error. Parent folders are created.

    Args:
        path: the destination.
        data: the bytes to write.
        durable: fsync the file before the rename (default), so a crash cannot leave an empty
            file in place of the old one. False is faster for copies that can simply be redone.
        mode: permission bits of the new file; None (default) gives ``0o666`` minus the
            process umask, like ``open(path, "wb")``.
        replace: replace a file already at ``path`` (``os.replace``). False (default): an existing
            file is never touched (the temp file is hard-linked into place, which fails when the
            name is taken, so nothing can slip in between a check and the write).

    Raises:
        OutputExistsError: ``path`` exists and ``replace`` is False.
        OSError: it cannot be written.
    """
    return _atomic(path, lambda fd: _write_all(fd, data), durable=durable, mode=mode, replace=replace)


def atomic_write_pieces(
    path: str | os.PathLike,
    pieces: Sequence[Piece],
    *,
    source_fd: int,
    source: bytes,
    durable: bool = True,
    mode: int | None = None,
    replace: bool = False,
) -> Path:
    """:func:`atomic_write_bytes` for an output made of new bytes and spans of a source file.

    Args:
        pieces: the output in order; a :class:`Span` is copied from the source file.
        source_fd: an open, readable descriptor of the source file (spans are copied from it
            with ``os.copy_file_range`` where the OS has it).
        source: the same file's bytes (an ``mmap`` or ``bytes``); spans are written from it
            where the kernel cannot copy between the two files.
        durable, mode, replace: as for :func:`atomic_write_bytes`.
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

    return _atomic(path, write, durable=durable, mode=mode, replace=replace)


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


def _atomic(
    path: str | os.PathLike, write: Callable[[int], None], *, durable: bool, mode: int | None, replace: bool
) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not replace and os.path.lexists(path):  # before the work of writing; _place checks again, atomically
        raise OutputExistsError(_EXISTS, path=path)
    # os.open with 0o666 lets the kernel apply the umask (mkstemp would give 0600).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = path.with_name(temp_name(path.name))
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
        _place(tmp, path, replace)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


#: What :class:`OutputExistsError` says when a write finds its name taken.
_EXISTS = "already exists, and replacing it was not asked for"


def _place(tmp: Path, path: Path, replace: bool) -> None:
    """Move the finished ``tmp`` to ``path``: renamed over it when ``replace``, else hard-linked there
    (which fails if ``path`` exists) and unlinked. A file system without hard links (FAT, some
    network mounts) gets a check and a rename: the one case where a file made in between is replaced."""
    if replace:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputExistsError(_EXISTS, path=path) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK):
            raise
        if os.path.lexists(path):
            raise OutputExistsError(_EXISTS, path=path) from None
        os.replace(tmp, path)
        return
    tmp.unlink()
