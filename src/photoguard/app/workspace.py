"""Where the app keeps photos while it runs, whose they are, and how they are deleted.

One :class:`Workspace` per app: a private folder (``mkdtemp``, mode 0700) made for this launch
unless a folder is given. Gradio is pointed at ``<root>/files`` (``GRADIO_TEMP_DIR``, and its
examples cache, ``GRADIO_EXAMPLES_CACHE``) before any component exists, so the uploads it
receives and every file the app writes live under that one folder, and Gradio serves the app's
previews and downloads from there without copying them::

    <root>/lock                                           held while the app runs
    <root>/files/<sha256>/<name>                          an upload, as Gradio stores it
    <root>/files/sessions/<browser>/<session>/<job>/<i>/  one photo: out/ (the download), preview/

Every file belongs to one browser (the random key in its cookie, :mod:`photoguard.app.access`):
its uploads (:meth:`Workspace.claim`) and what the app made for it (its folder under
``sessions/``). :meth:`Workspace.owns` is what the app serves and processes for a browser, and
nothing else.

Photos are deleted when the browser session ends (:meth:`Workspace.end_session`, from
``Blocks.unload`` and the "delete now" button), when older than :data:`KEEP_SECONDS`
(:meth:`Workspace.prune`, on every request and every few minutes) and when the app stops
(:meth:`Workspace.close`, also at interpreter exit). An app killed with SIGKILL (or a crash, or
a power cut) cannot delete anything: its folder stays until the next app starts, which deletes
the folders of every app that is no longer running (:mod:`photoguard.app.leftovers`). No Gradio import here.
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

from photoguard.app.leftovers import LOCK_NAME, PREFIX, abandoned, hold_lock, remove_stale_workspaces

log = logging.getLogger("photoguard.app")

#: Uploads, previews and protected files are deleted after this many seconds.
KEEP_SECONDS = 3600
#: How often the background sweep deletes what is older than that.
PRUNE_EVERY_S = 300
#: The environment variable Gradio reads for its upload and cache folder.
GRADIO_ENV = "GRADIO_TEMP_DIR"
#: The one Gradio reads for its examples cache (served like uploads; by default ``.gradio/cached_examples``
#: in the folder the app was started from, which would let the app serve files from there).
GRADIO_EXAMPLES_ENV = "GRADIO_EXAMPLES_CACHE"


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


def _digest(name: str) -> str:
    """A folder name for a name that comes from the browser (never the name itself)."""
    return hashlib.sha256(name.encode()).hexdigest()[:32]


class Workspace:
    """The app's private folder: per-browser and per-session folders, who owns which upload,
    deletion.

    Args:
        workdir: use this folder (created 0700 when missing); default: a new private temp folder,
            removed entirely by :meth:`close`. Either way, what apps that are no longer running left
            (other ``photoguard-app-*`` folders; in a given folder, its files) is deleted first.
        keep_seconds: delete anything older than this.
    """

    def __init__(self, workdir: str | os.PathLike | None = None, *, keep_seconds: float = KEEP_SECONDS) -> None:
        self.owned = workdir is None
        if workdir is None:
            remove_stale_workspaces(max_age_s=keep_seconds)
            self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
        else:
            self.root = private_dir(Path(workdir))
            if abandoned(self.root, max_age_s=0):  # a killed app's uploads and outputs
                _remove(self.root / "files")
        self._lock_fd = hold_lock(self.root)
        self.files = private_dir(self.root / "files")
        self.sessions = private_dir(self.files / "sessions")
        self.keep_seconds = keep_seconds
        self._uploads: dict[Path, set[str]] = {}  # upload -> the sessions that hold it
        self._owners: dict[Path, set[str]] = {}  # upload -> the browsers that sent it
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None
        self._env_before: dict[str, str | None] = {}
        self._active = False
        self.closed = False
        atexit.register(self.close)

    # --- Gradio's folder -----------------------------------------------------------------

    def activate(self) -> None:
        """Point Gradio's upload folder and examples cache into :attr:`files` (call before building
        the page; one app per process)."""
        if not self._active:
            self._env_before = {name: os.environ.get(name) for name in self._env}
            os.environ.update(self._env)
            self._active = True

    @property
    def _env(self) -> dict[str, str]:
        return {GRADIO_ENV: str(self.files), GRADIO_EXAMPLES_ENV: str(self.files / "cached_examples")}

    def _restore_env(self) -> None:
        if not self._active:
            return
        for name, ours in self._env.items():
            if os.environ.get(name) == ours:
                before = self._env_before.get(name)
                if before is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = before
        self._active = False

    # --- browsers and sessions ------------------------------------------------------------

    def browser_dir(self, browser: str | None) -> Path:
        """The folder of everything the app made for ``browser`` (its cookie's key; a digest of it)."""
        return self.sessions / _digest(f"browser:{browser or ''}")

    def session_dir(self, browser: str | None, session_hash: str | None) -> Path:
        """This browser session's folder (created 0700). Both keys come from the browser, so the
        folders are named by their digests, never by the keys themselves."""
        return private_dir(self.browser_dir(browser) / _digest(session_hash or "no-session"))

    def claim(self, browser: str | None, uploads: Iterable[str | os.PathLike]) -> None:
        """Record that ``browser`` sent these files (Gradio's upload route answered it with their paths)."""
        if not browser:
            return
        with self._lock:
            for path in self._inside_uploads(uploads):
                self._owners.setdefault(path, set()).add(browser)

    def owns(self, browser: str | None, path: str | os.PathLike) -> bool:
        """Whether ``path`` is ``browser``'s: one of its uploads, or a file the app made for it.
        Nothing outside :attr:`files` is anyone's."""
        if not browser:
            return False
        try:
            real = Path(path).resolve()
        except (OSError, ValueError):
            return False
        if real.is_relative_to(self.browser_dir(browser).resolve()):
            return True
        with self._lock:
            return browser in self._owners.get(real, ())

    def adopt(self, browser: str | None, session_hash: str | None, uploads: Iterable[str | os.PathLike]) -> list[Path]:
        """Record that ``session_hash`` uses these uploads (deleted when no open session holds them);
        returns those that are ``browser``'s, the only ones adopted."""
        name = session_hash or "no-session"
        mine = [p for p in self._inside_uploads(uploads) if self.owns(browser, p)]
        with self._lock:
            for path in mine:
                self._uploads.setdefault(path, set()).add(name)
        return mine

    def _inside_uploads(self, uploads: Iterable[str | os.PathLike]) -> list[Path]:
        """The uploads among these paths: files under :attr:`files`, not under ``sessions/``."""
        files, sessions = self.files.resolve(), self.sessions.resolve()
        found = []
        for upload in uploads:
            path = Path(upload).resolve()
            if path.is_relative_to(files) and not path.is_relative_to(sessions):
                found.append(path)
        return found

    def end_session(self, browser: str | None, session_hash: str | None) -> None:
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
                self._owners.pop(path, None)
        for path in drop:
            _remove(path)
            if path.parent != self.files.resolve():
                try:
                    path.parent.rmdir()  # Gradio's <sha256> folder, when empty
                except OSError:
                    pass
        folder = self.browser_dir(browser)
        _remove(folder / _digest(name))
        try:
            folder.rmdir()
        except OSError:
            pass

    # --- age and shutdown ----------------------------------------------------------------

    def prune(self, max_age_s: float | None = None) -> None:
        """Delete jobs, uploads and Gradio's copies older than ``max_age_s`` (default: keep_seconds)."""
        cutoff = time.time() - (self.keep_seconds if max_age_s is None else max_age_s)
        candidates = [p for p in _entries(self.files) if p != self.sessions]
        sessions = [s for browser in _entries(self.sessions) for s in _entries(browser)]
        for session in sessions:
            candidates += _entries(session) if session.is_dir() else [session]
        for path in candidates:
            try:
                if path.lstat().st_mtime < cutoff:
                    _remove(path)
            except OSError:
                continue
        for folder in [*sessions, *_entries(self.sessions)]:
            try:
                folder.rmdir()  # only when empty; session_dir() makes it again when needed
            except OSError:
                continue
        with self._lock:
            for held in (self._uploads, self._owners):
                for path in [p for p in held if not p.exists()]:
                    del held[path]

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
        if not self.owned:
            (self.root / LOCK_NAME).unlink(missing_ok=True)
        if self._lock_fd is not None:
            os.close(self._lock_fd)
        atexit.unregister(self.close)


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []
