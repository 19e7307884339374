"""Download one pinned package with the user's own pip or npm, and read one file out of it.

No index or registry host is named here: ``python -m pip download`` and ``npm pack`` use what
the user configured (``pip.conf``, ``PIP_INDEX_URL``, ``.npmrc``, proxies, credentials). pip is
asked for wheels only (``--only-binary=:all:``) and npm runs with ``--ignore-scripts``, so no
code of a downloaded package runs. Every failure is one :class:`RegistryError` with a one-line
message that says whether the registry could not be reached or does not carry the package.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from photoguard.errors import ModelError


class RegistryError(ModelError):
    """A package or a file in it could not be had; the message is one line."""


class RegistryUnreachable(RegistryError):
    """The registry (an index, a proxy) could not be reached: network, DNS, TLS."""


class PackageNotFound(RegistryError):
    """The registry answered, but carries no such package or version."""


@dataclass(frozen=True)
class Registry:
    """One package registry and the client that downloads from it.

    Attributes:
        label: its name for people (``"PyPI"``).
        requirement: the pinned spelling the client takes, from ``(package, version)``.
        download: ``(package, version, folder) -> archive``: download the package into the
            empty ``folder`` and return the archive's path.
    """

    label: str
    requirement: Callable[[str, str], str]
    download: Callable[[str, str, Path], Path]


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a client, its output captured (the caller reports one line of it)."""
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    try:
        return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, errors="replace", check=False)
    except OSError as exc:
        raise RegistryError(f"cannot run {cmd[0]}: {exc.strerror or exc}") from None


def _only_file(folder: Path, what: str) -> Path:
    files = [p for p in folder.iterdir() if p.is_file()]
    if len(files) != 1:
        raise RegistryError(f"{what}: expected one downloaded archive in {folder}, found {len(files)}")
    return files[0]


def _line_with(text: str, markers: tuple[str, ...]) -> str:
    """The first line of ``text`` that holds one of ``markers``, stripped and at most 200 chars."""
    for line in text.splitlines():
        if any(m.lower() in line.lower() for m in markers):
            return line.strip()[:200]
    return ""


#: pip output that means an index could not be reached (its own retry warnings, and the
#: ``Could not fetch URL …: connection error`` line that ``-vv`` shows when retries are off).
_PIP_UNREACHABLE = (
    "connection error:",
    "connection broken by",
    "Failed to establish a new connection",
    "NewConnectionError",
    "Max retries exceeded",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ProxyError",
    "problem confirming the ssl certificate",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
)
_PIP_NOT_FOUND = ("No matching distribution found", "Could not find a version that satisfies")


def pip_download(package: str, version: str, folder: Path) -> Path:
    """``python -m pip download --no-deps --only-binary=:all: package==version`` into ``folder``."""
    requirement = f"{package}=={version}"
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--progress-bar", "off",
           "-vv", "-d", str(folder), requirement]  # fmt: skip
    proc = _run(cmd, folder)
    if proc.returncode == 0:
        return _only_file(folder, requirement)
    text = proc.stdout + "\n" + proc.stderr
    if "No module named pip" in text:
        raise RegistryError(f"pip is not installed for {sys.executable}: cannot download {requirement}")
    if reason := _line_with(text, _PIP_UNREACHABLE):
        raise RegistryUnreachable(f"PyPI not reachable through pip's configured index, for {requirement}: {reason}")
    if _line_with(text, _PIP_NOT_FOUND):
        raise PackageNotFound(f"{requirement} is not on pip's configured index (no matching wheel)")
    last = _line_with(text, ("ERROR:",)) or (text.strip().splitlines() or [""])[-1][:200]
    raise RegistryError(f"pip download {requirement} failed (exit {proc.returncode}): {last}")


#: npm error codes that mean the registry could not be reached.
_NPM_UNREACHABLE = {
    "ECONNREFUSED",
    "ENOTFOUND",
    "ETIMEDOUT",
    "EAI_AGAIN",
    "ECONNRESET",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "ESOCKETTIMEDOUT",
    "ERR_SOCKET_TIMEOUT",
    "ECONNABORTED",
    "EPROTO",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "CERT_HAS_EXPIRED",
}
_NPM_NOT_FOUND = {"E404", "ETARGET"}


def _npm_error(stdout: str, stderr: str) -> tuple[str, str]:
    """``(code, summary)`` of a failed ``npm pack --json`` (its JSON, else its ``error code`` lines)."""
    try:
        error = json.loads(stdout).get("error", {})
        return str(error.get("code", "")), str(error.get("summary", "")).splitlines()[0][:200]
    except (ValueError, AttributeError, IndexError):
        code = re.search(r"npm (?:ERR!|error) code (\S+)", stderr)
        return (code.group(1) if code else ""), _line_with(stderr, ("npm ERR!", "npm error"))


def npm_download(package: str, version: str, folder: Path) -> Path:
    """``npm pack --ignore-scripts package@version`` run in ``folder`` (the tarball lands there)."""
    spec = f"{package}@{version}"
    npm = shutil.which("npm")
    if npm is None:
        raise RegistryError(f"npm is not installed (it comes with Node.js): cannot download {spec}")
    proc = _run([npm, "pack", spec, "--json", "--loglevel=error", "--ignore-scripts"], folder)
    if proc.returncode == 0:
        return _only_file(folder, spec)
    code, summary = _npm_error(proc.stdout, proc.stderr)
    if code in _NPM_UNREACHABLE:
        raise RegistryUnreachable(f"npm registry not reachable through npm's configuration, for {spec}: {summary}")
    if code in _NPM_NOT_FOUND:
        raise PackageNotFound(f"{spec} is not on npm's configured registry ({code}: {summary})")
    raise RegistryError(f"npm pack {spec} failed (exit {proc.returncode}, {code or 'no code'}): {summary}")


#: Manifest ``registry`` value -> the registry. One entry per registry the manifest may name.
REGISTRIES: dict[str, Registry] = {
    "pypi": Registry("PyPI", lambda package, version: f"{package}=={version}", pip_download),
    "npm": Registry("npm", lambda package, version: f"{package}@{version}", npm_download),
}


def registry(name: str) -> Registry:
    """The registry the manifest calls ``name``; :class:`RegistryError` for an unknown one."""
    try:
        return REGISTRIES[name]
    except KeyError:
        raise RegistryError(f"unknown registry {name!r} in the manifest; known: {', '.join(REGISTRIES)}") from None


def download_once(name: str, package: str, version: str, downloads: Path) -> Path:
    """The archive of ``package`` ``version`` from registry ``name``, kept under ``downloads``.

    An archive already in ``downloads/<name>/<package>-<version>/`` is reused without asking the
    registry again. A new download goes to a temporary folder beside it that is renamed into place
    only when the client succeeds, so an interrupted download is never reused.
    """
    target = downloads / name / f"{package.replace('/', '+')}-{version}"
    if target.is_dir():
        return _only_file(target, registry(name).requirement(package, version))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=target.parent))
    try:
        archive = registry(name).download(package, version, partial)
        os.replace(partial, target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target / archive.name


def read_members(archive: Path, members: set[str]) -> dict[str, bytes]:
    """The bytes of each file of ``members`` that ``archive`` holds as a regular file; ``archive`` is
    a zip (wheel) or a tar (npm tarball, sdist; gz/bz2/xz), read in one pass (a compressed tar has
    no index: each extra pass would decompress it again). Members it lacks are left out.

    Raises:
        RegistryError: the archive is corrupt or of another kind.
    """
    found: dict[str, bytes] = {}
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                names = set(zf.namelist())
                return {m: zf.read(m) for m in members if m in names}
        if tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tf:
                for info in tf:
                    if info.name in members and info.isfile() and (handle := tf.extractfile(info)) is not None:
                        with handle:
                            found[info.name] = handle.read()
                        if len(found) == len(members):
                            break
            return found
    except (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, OSError) as exc:
        raise RegistryError(f"{archive.name} is corrupt: {exc}") from None
    raise RegistryError(f"{archive.name} is neither a zip nor a tar archive")


def missing_member(archive: Path, member: str) -> RegistryError:
    """The error for an archive that lacks ``member``."""
    return RegistryError(f"{archive.name} holds no file {member}")


def read_member(archive: Path, member: str) -> bytes:
    """The bytes of one file inside ``archive`` (see :func:`read_members`); :class:`RegistryError`
    if it lacks that file."""
    found = read_members(archive, {member})
    if member not in found:
        raise missing_member(archive, member)
    return found[member]
