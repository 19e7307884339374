"""Where the app keeps photos while it runs, and how they are deleted.

One :class:`Workspace` per app: a private folder (``mkdtemp``, mode 0700) made for this launch
unless a folder is given. Gradio is pointed at ``<root>/files`` (``GRADIO_TEMP_DIR``) before any
component exists, so the uploads it receives and every file the app writes live under that one
folder, and Gradio serves the app's previews and downloads from there without copying them::

    <root>/files/<sha256>/<name>                 an upload, as Gradio stores it
    <root>/files/sessions/<session>/<job>/<i>/   one photo: out/ (the download), preview/

Photos are deleted when the browser session ends (:meth:`Workspace.end_session`, from
``Blocks.unload`` and the "delete now" button), when older than :data:`KEEP_SECONDS`
(:meth:`Workspace.prune`, on every request and every few minutes) and when the app stops
(:meth:`Workspace.close`, also at interpreter exit). No Gradio import here.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger("photoguard.app")

#: Uploads, previews and protected files are deleted after this many seconds.
KEEP_SECONDS = 3600
#: How often the background sweep deletes what is older than that.
PRUNE_EVERY_S = 300
#: The environment variable Gradio reads for its upload and cache folder.
GRADIO_ENV = "GRADIO_TEMP_DIR"


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents with mode 0700 (an existing folder is left as it is)."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
    return path


def private_file(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new file ``path`` readable by this user only (mode 0600)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_CREAT
    return path


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not delete %s: %s", path, exc)


class Workspace:
    """The app's private folder: per-session folders, the uploads each session holds, deletion.

    Args:
        workdir: use this folder (created 0700 when missing); default: a new private temp folder,
            removed entirely by :meth:`close`.
        keep_seconds: delete anything older than this.
    """

    def __init__(self, workdir: str | os.PathLike | None = None, *, keep_seconds: float = KEEP_SECONDS) -> None:
        self.owned = workdir is None
        self.root = Path(tempfile.mkdtemp(prefix="photoguard-app-")) if workdir is None else private_dir(Path(workdir))
        self.files = private_dir(self.root / "files")
        self.sessions = private_dir(self.files / "sessions")
        self.keep_seconds = keep_seconds
        self._uploads: dict[Path, set[str]] = {}  # upload -> the sessions that hold it
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None
        self._env_before: str | None = None
        self._active = False
        self.closed = False
        atexit.register(self.close)

    # --- Gradio's folder -----------------------------------------------------------------

    def activate(self) -> None:
        """Point Gradio at :attr:`files` (call before building the page; one app per process)."""
        if not self._active:
            self._env_before = os.environ.get(GRADIO_ENV)
            os.environ[GRADIO_ENV] = str(self.files)
            self._active = True

    def _restore_env(self) -> None:
        if not self._active:
            return
        if os.environ.get(GRADIO_ENV) == str(self.files):
            if self._env_before is None:
                os.environ.pop(GRADIO_ENV, None)
            else:
                os.environ[GRADIO_ENV] = self._env_before
        self._active = False

    # --- sessions ------------------------------------------------------------------------

    def session_dir(self, session_hash: str | None) -> Path:
        """This browser session's folder (created 0700). The session hash comes from the browser,
        so the folder is named by its digest, never by the hash itself."""
        digest = hashlib.sha256((session_hash or "no-session").encode()).hexdigest()[:32]
        return private_dir(self.sessions / digest)

    def adopt(self, session_hash: str | None, uploads: Iterable[str | os.PathLike]) -> None:
        """Record that ``session_hash`` uploaded these files (Gradio stores them under :attr:`files`)."""
        files = self.files.resolve()
        with self._lock:
            for upload in uploads:
                path = Path(upload).resolve()
                if path.is_relative_to(files) and not path.is_relative_to(self.sessions.resolve()):
                    self._uploads.setdefault(path, set()).add(session_hash or "no-session")

    def end_session(self, session_hash: str | None) -> None:
        """Delete the session's folder and every upload no other open session holds."""
        name = session_hash or "no-session"
        with self._lock:
            drop = []
            for path, holders in self._uploads.items():
                holders.discard(name)
                if not holders:
                    drop.append(path)
            for path in drop:
                del self._uploads[path]
        for path in drop:
            _remove(path)
            if path.parent != self.files.resolve():
                try:
                    path.parent.rmdir()  # Gradio's <sha256> folder, when empty
                except OSError:
                    pass
        _remove(self.sessions / hashlib.sha256(name.encode()).hexdigest()[:32])

    # --- age and shutdown ----------------------------------------------------------------

    def prune(self, max_age_s: float | None = None) -> None:
        """Delete jobs, uploads and Gradio's copies older than ``max_age_s`` (default: keep_seconds)."""
        cutoff = time.time() - (self.keep_seconds if max_age_s is None else max_age_s)
        candidates = [p for p in _entries(self.files) if p != self.sessions]
        for session in _entries(self.sessions):
            candidates += _entries(session) if session.is_dir() else [session]
        for path in candidates:
            try:
                if path.lstat().st_mtime < cutoff:
                    _remove(path)
            except OSError:
                continue
        for session in _entries(self.sessions):
            try:
                session.rmdir()  # only when empty; session_dir() makes it again when needed
            except OSError:
                continue
        with self._lock:
            for path in [p for p in self._uploads if not p.exists()]:
                del self._uploads[path]

    def start_sweeping(self, every_s: float = PRUNE_EVERY_S) -> None:
        """Prune every ``every_s`` seconds in a daemon thread until :meth:`close`."""
        if self._sweeper is not None:
            return

        def sweep() -> None:
            while not self._stop.wait(every_s):
                self.prune()

        self._sweeper = threading.Thread(target=sweep, name="photoguard-prune", daemon=True)
        self._sweeper.start()

    def close(self) -> None:
        """Delete everything: :attr:`files` (Gradio's uploads and cache included), and the root
        folder itself when this workspace made it. Idempotent."""
        if self.closed:
            return
        self.closed = True
        self._stop.set()
        self._restore_env()
        _remove(self.root if self.owned else self.files)
        atexit.unregister(self.close)


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []
