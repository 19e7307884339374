"""What apps that are no longer running left behind, and how the next app finds it.

A running app holds an advisory lock (``flock``) on ``<workspace>/lock`` for as long as its
process lives; the system releases it when the process ends, however it ends (SIGKILL, a crash).
So a workspace whose lock can be taken belongs to no running app: its photos are deleted by the
next app that starts (:func:`remove_stale_workspaces`, from
:class:`~photoguard.app.workspace.Workspace`). No process ids are compared (a dead app's id may
belong to another process by then). Where there are no advisory locks (Windows), nothing is
found and nothing is deleted.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, stale folders are not found
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("photoguard.app")

#: The prefix of a workspace the app makes in the system temp folder.
PREFIX = "photoguard-app-"
#: The file a running app holds locked in its workspace.
LOCK_NAME = "lock"


def hold_lock(root: Path) -> int | None:
    """Lock ``root/lock`` for as long as this process runs (the descriptor is returned). The lock
    file appears already locked (made under a temporary name, locked, then renamed), so another
    app never finds it unlocked while this one starts. None where there are no advisory locks."""
    if fcntl is None:
        return None
    temp = root / f".{LOCK_NAME}.{secrets.token_hex(4)}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.replace(temp, root / LOCK_NAME)
    return fd


def abandoned(root: Path, max_age_s: float) -> bool:
    """Whether no running app holds ``root`` (its lock can be taken); a folder without a lock file
    (an app starting this instant, or an older photoguard) counts only once older than ``max_age_s``."""
    lock = root / LOCK_NAME
    if not lock.exists():
        return time.time() - root.lstat().st_mtime > max_age_s
    if fcntl is None:
        return False
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a running app holds it
    finally:
        os.close(fd)
    return True


def remove_stale_workspaces(folder: str | os.PathLike | None = None, *, max_age_s: float) -> list[Path]:
    """Delete the workspaces (``photoguard-app-*``) that apps of this user left in ``folder``
    (default: the system temp folder) when they were killed: those no running app holds. Returns
    what was deleted. A folder without a lock file counts once older than ``max_age_s`` (see
    :func:`abandoned`). Other users' folders are never touched (nor could be)."""
    removed = []
    for entry in sorted(Path(folder or tempfile.gettempdir()).glob(f"{PREFIX}*")):
        try:
            if entry.is_symlink() or not entry.is_dir() or entry.stat().st_uid != os.getuid():
                continue
            if not abandoned(entry, max_age_s):
                continue
        except OSError:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        if not entry.exists():
            removed.append(entry)
            log.info("deleted the photos of an app that is no longer running: %s", entry)
    return removed
