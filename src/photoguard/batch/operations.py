"""The per-file operations the engine runs: :class:`ProtectOperation` and :class:`StripOperation`,
and how an output is named and committed (in place through symlinks, keeping permissions).

A job whose input or output is a URI (:mod:`photoguard.batch.storage`) runs the same library call
on the file's bytes, read and written through ``pyarrow.fs``; a local job reads and writes paths."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import InitVar, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from photoguard.batch import storage
from photoguard.batch.paths import InputFile
from photoguard.batch.records import DONE, NO_FACE, Job, Progress, Record
from photoguard.batch.storage import Location
from photoguard.errors import PhotoguardError
from photoguard.fileio import refuse_hard_links, sibling_temp
from photoguard.formats import suffix_format
from photoguard.pipeline.naming import planned_names

#: Photos whose faces a GPU cloaks in one batched pass (:func:`photoguard.protect_many`). On a CPU
#: batching saves little (1.14x, benchmarks/results/batching.md), so photos go one at a time there.
GPU_BATCH = 8

if TYPE_CHECKING:
    from photoguard.metadata.types import StripReport
    from photoguard.pipeline.options import ProtectOptions
    from photoguard.types import ProtectResult


class Operation:
    """A per-file operation the engine runs. Subclasses are frozen dataclasses (sent to workers).

    Attributes:
        action: the verb for messages (``"protect"``).
        verb: its past tense (``"protected"``).
        finished: what happened to the files that did not fail (``"written"``).
        uses_torch: workers set ``torch.set_num_threads`` only for operations that use torch.
        batches: whether :meth:`run_batch` runs several files in one call.
    """

    action: ClassVar[str] = "process"
    verb: ClassVar[str] = "processed"
    finished: ClassVar[str] = "processed"
    uses_torch: ClassVar[bool] = False
    batches: ClassVar[bool] = False

    def output_rel(self, item: InputFile) -> tuple[Path, tuple[Path, ...]]:
        """The output path relative to the output folder, and alternate names it may take."""
        return item.rel, ()

    def check_in_place(self, src: Location) -> str | None:
        """Why ``src`` cannot be processed in place, or None."""
        return None

    def on_device(self, device: str) -> Operation:
        """This operation run on ``device`` (``"cpu"``, ``"cuda"``): a Ray actor's, which must not
        take a GPU it did not reserve; itself for an operation that uses none."""
        return self

    def __call__(self, job: Job, progress: Progress | None = None) -> Record:
        """Process one file; ``progress(fraction, stage)`` is called as it advances (in this process only)."""
        raise NotImplementedError

    def batch_size(self) -> int:
        """Files this operation runs together by default (:meth:`run_batch`): 1 unless it batches."""
        return 1

    def can_batch(self, job: Job) -> bool:
        """Whether ``job`` may go into :meth:`run_batch` (else it runs on its own)."""
        return self.batches

    def run_batch(self, jobs: Sequence[Job], done: Callable[[int, Record | Exception], None]) -> None:
        """Process several files in one call (only where :attr:`batches`), calling ``done(k, record)``
        (or ``done(k, error)``: what stopped that file alone) as soon as file ``k`` is finished. An
        exception raised means the batch failed as a whole: the engine runs the files that got no
        ``done`` one at a time."""
        raise NotImplementedError


def sniff_format(path: Location) -> str | None:
    """The image format from a file's magic bytes (``"JPEG"``, ``"HEIF"``…), or None."""
    from photoguard.metadata.registry import HEAD_BYTES

    try:
        head = storage.read_bytes(path, HEAD_BYTES)  # a FIFO or device is refused, never read (it would block)
    except (OSError, PhotoguardError):
        return None
    return head_format(head)


def head_format(head: bytes) -> str | None:
    """The image format of a file that starts with ``head`` (its first bytes), or None."""
    from photoguard.formats import pixel_format
    from photoguard.metadata.registry import detect

    cls = detect(head)
    return cls.format if cls is not None else pixel_format(head)


def is_image_candidate(path: Location) -> bool:
    """True for files that look like photos by extension or by magic bytes.

    Candidates that then fail (0 bytes, corrupt, a directory) are reported as failures; other
    files found in folders (sidecars, notes) are skipped.
    """
    return suffix_format(path.name) is not None or sniff_format(path) is not None


@dataclass(frozen=True)
class ProtectOperation(Operation):
    """Cloak every face with :func:`photoguard.protect` and write it without metadata.

    ``ProtectOperation(options)``, or ``ProtectOperation(strength="fast", device="cpu", ...)``: the
    keyword arguments of :class:`~photoguard.pipeline.options.ProtectOptions` it takes make its
    options (those not given keep the options' defaults, checked there).

    Attributes:
        options: what every photo is protected with; each job's own ``overwrite`` replaces its
            ``overwrite`` (the plan decides it per file).
    """

    options: ProtectOptions = None  # type: ignore[assignment]  # made in __post_init__ when not given
    strength: InitVar[str | None] = None
    against: InitVar[Sequence[str] | None] = None
    edit_strength: InitVar[str | None] = None
    device: InitVar[str | None] = None
    jpeg_quality: InitVar[int | None] = None
    keep_icc: InitVar[bool | None] = None
    action: ClassVar[str] = "protect"
    verb: ClassVar[str] = "protected"
    finished: ClassVar[str] = "written"
    uses_torch: ClassVar[bool] = True
    batches: ClassVar[bool] = True

    def __post_init__(self, *values: object) -> None:
        from photoguard.pipeline.options import ProtectOptions  # numpy and the presets: not for `photoguard strip`

        names = ("strength", "against", "edit_strength", "device", "jpeg_quality", "keep_icc")
        given = {name: value for name, value in zip(names, values) if value is not None}
        if isinstance(self.options, str):  # ProtectOperation("fast"): the strength, first as it always was
            if "strength" in given:
                raise TypeError("ProtectOperation got its strength twice")
            given = {"strength": self.options, **given}
            object.__setattr__(self, "options", None)
        if self.options is not None and given:
            raise TypeError(f"give ProtectOperation its options or {', '.join(given)}, not both")
        if self.options is None:
            object.__setattr__(self, "options", ProtectOptions(**given))

    def on_device(self, device: str) -> ProtectOperation:
        return replace(self, options=self.options.with_(device=device))

    def output_rel(self, item: InputFile) -> tuple[Path, tuple[Path, ...]]:
        return planned_names(item.rel, sniff_format(item.path) or suffix_format(item.path.name))

    def output_for_file(self, src: Path, target: Path) -> tuple[Path, tuple[Path, ...]]:
        """``target`` checked against the format written for ``src``, and its alternate name.

        Raises:
            UsageError: the name's suffix does not match the format (a PNG named ``.jpg``).
        """
        return planned_names(target, sniff_format(src) or suffix_format(src), src)

    def check_in_place(self, src: Location) -> str | None:
        rel, _ = self.output_rel(InputFile(src, Path(src.name), False))
        if rel.name != src.name:
            return f"cannot be protected in place: the protected photo is written as {rel.suffix} (use -o OUT)"
        return None

    def __call__(self, job: Job, progress: Progress | None = None) -> Record:
        start = time.perf_counter()
        written: Location
        if job.is_local:
            result, written = self._protect_file(job, progress)
        else:
            result, written = self._protect_through_storage(job, progress)
        return self._record(job, result, written, time.perf_counter() - start)

    def batch_size(self) -> int:
        """:data:`GPU_BATCH` when the cloak runs on a GPU, else 1."""
        return GPU_BATCH if self.options.torch_device().type == "cuda" else 1

    def can_batch(self, job: Job) -> bool:
        """Local photos only: a URI's bytes go through :func:`photoguard.protect_bytes` one at a time."""
        return job.is_local

    def run_batch(self, jobs: Sequence[Job], done: Callable[[int, Record | Exception], None]) -> None:
        """The faces of every photo in ``jobs`` (local files) cloaked in one optimisation
        (:func:`photoguard.protect_many`), each photo then verified, written as :meth:`__call__`
        writes it (committed over the original with ``--in-place``) and passed to ``done`` before
        the next one is written. A record's ``seconds`` is the batch's time until that photo was
        written, shared by the photos of the batch."""
        from photoguard.pipeline import protect_photos

        start = time.perf_counter()
        sources = [cast(Path, job.src) for job in jobs]
        targets = [sibling_temp(src) if job.in_place else cast(Path, job.dst) for job, src in zip(jobs, sources)]
        overwrite = all(job.overwrite for job in jobs)  # one run's jobs share it; mixed, the safe answer

        def finished(k: int, outcome: ProtectResult | PhotoguardError | OSError) -> None:
            if isinstance(outcome, (PhotoguardError, OSError)):
                done(k, outcome)
                return
            try:
                written = _commit(outcome.output_path, sources[k], jobs[k].in_place)
                record = self._record(jobs[k], outcome, written, (time.perf_counter() - start) / len(jobs))
            except Exception as exc:  # noqa: BLE001 - that photo's failure alone, as run_one records it
                done(k, exc)
                return
            done(k, record)

        try:
            options = self.options.with_(overwrite=overwrite)
            protect_photos(sources, options=options, output=targets, on_outcome=finished)
        finally:
            for job, target in zip(jobs, targets):
                if job.in_place:
                    target.unlink(missing_ok=True)

    def _record(self, job: Job, result: ProtectResult, written: Location, seconds: float) -> Record:
        """The record of a photo protected into ``written`` in ``seconds``."""
        checks = [
            {
                "face": f.index + 1,
                "protected": f.protected,
                "encoder": f.verification_encoder,
                "before": 1.0 if f.verification_similarity is not None else None,
                "after": _finite(f.verification_similarity),
                "threshold": f.verification_threshold,
                "still_recognised": f.still_recognised,
                "status": str(f.status),
                "reason": f.reason,
            }
            for f in result.faces
        ]
        return Record(
            path=str(job.src),
            output=str(written),
            status=DONE if result.faces_protected else NO_FACE,
            verdict=result.verdict,
            headline=result.headline,
            faces=len(result.faces),
            faces_protected=result.faces_protected,
            verification=checks,
            psnr=_finite(result.psnr),
            face_psnr=_finite(result.face_psnr),
            seconds=seconds,
            message=result.details,
            detail={"timings": {k: round(v, 3) for k, v in result.timings.items()}},
        )

    def _protect_file(self, job: Job, progress: Progress | None) -> tuple[ProtectResult, Path]:
        """A local photo, written to ``job.dst`` (or over ``job.src`` in place; a file at ``job.dst``
        is replaced only with ``job.overwrite``): ``(result, file written)``."""
        from photoguard.pipeline import protect_photo

        src = cast(Path, job.src)
        target = sibling_temp(src) if job.in_place else cast(Path, job.dst)
        try:
            options = self.options.with_(overwrite=job.overwrite)
            result = protect_photo(src, options, output=target, progress=progress)
            return result, _commit(result.output_path, src, job.in_place)
        finally:
            if job.in_place:
                target.unlink(missing_ok=True)

    def _protect_through_storage(self, job: Job, progress: Progress | None) -> tuple[ProtectResult, Location]:
        """A job with a URI: the same call on the photo's bytes, its output written through
        ``pyarrow.fs`` under the planned name that fits the format written (a face-free photo
        copied losslessly keeps its own suffix: ``job.alternates``)."""
        from photoguard.metadata.registry import HEAD_BYTES
        from photoguard.pipeline import protect_photo_bytes

        source = job.src if isinstance(job.src, Path) else storage.read_bytes(job.src)
        encoded, result = protect_photo_bytes(source, self.options, progress=progress, name=str(job.src))
        written = head_format(encoded[:HEAD_BYTES])
        target = next((p for p in (job.dst, *job.alternates) if suffix_format(p.name) == written), None)
        if target is None:
            raise PhotoguardError(f"written as {written}, which none of its planned names fits", path=str(job.dst))
        storage.write_bytes(target, encoded, replace=job.overwrite)
        return result, target


@dataclass(frozen=True)
class StripOperation(Operation):
    """Remove identifying metadata losslessly with :func:`photoguard.metadata.strip_metadata`."""

    keep_icc: bool = True
    action: ClassVar[str] = "strip"
    verb: ClassVar[str] = "stripped"
    finished: ClassVar[str] = "stripped"

    def __call__(self, job: Job, progress: Progress | None = None) -> Record:
        from photoguard.metadata import strip_metadata

        start = time.perf_counter()
        if isinstance(job.src, Path) and isinstance(job.dst, Path):
            report = strip_metadata(
                job.src,
                None if job.in_place else job.dst,
                keep_icc=self.keep_icc,
                in_place=job.in_place,
                overwrite=job.overwrite,
            )
        else:
            report = self._strip_through_storage(job)
        removed = ", ".join(a.what for a in report.removed)
        return Record(
            path=str(job.src),
            output=str(job.dst),
            status=DONE,
            seconds=time.perf_counter() - start,
            message=f"removed {removed}" if removed else "nothing to remove",
            detail=report.to_dict(),
        )

    def _strip_through_storage(self, job: Job) -> StripReport:
        """A job with a URI: the same strip on the file's bytes, written through ``pyarrow.fs``."""
        from photoguard.metadata import strip_bytes

        data = storage.read_bytes(job.src)
        stripped, report = strip_bytes(data, keep_icc=self.keep_icc, name=str(job.src))
        report.source, report.destination = str(job.src), str(job.dst)
        storage.write_bytes(job.dst, stripped, replace=job.overwrite)
        return report


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 4)


def _commit(written: Path | None, src: Path, in_place: bool) -> Path:
    """The file a protected photo ended in: ``written``, or with ``--in-place`` the photo itself,
    once ``written`` was moved over it (:func:`_commit_in_place`)."""
    if written is None:
        raise PhotoguardError("nothing was written", path=src)
    return _commit_in_place(written, src) if in_place else written


def _commit_in_place(written: Path | None, src: Path) -> Path:
    """Move ``written`` over the photo ``src`` stands for: through a symlink onto the real file
    (replacing the link would leave the real photo, GPS and all, as it was)."""
    if written is None:
        raise PhotoguardError("nothing was written", path=src)
    refuse_hard_links(src)  # checked by the plan; again here, where a link made since would lose data
    real = src.resolve()
    os.chmod(written, real.stat().st_mode & 0o7777)  # keep the photo's permissions
    os.replace(written, real)
    return src
