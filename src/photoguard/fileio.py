"""Atomic file writing, with no third-party imports (the metadata strip path uses it, and its
start-up must stay small). :func:`photoguard.imageio.atomic_write_bytes` is this function.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def atomic_write_bytes(
    path: str | os.PathLike, data: bytes, *, durable: bool = True, mode: int | None = None
) -> Path:
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
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if mode is not None:
                os.chmod(fh.fileno(), mode)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
