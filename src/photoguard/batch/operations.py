"""The per-file operations the engine runs: :class:`ProtectOperation` and :class:`StripOperation`,
and how an output is named and committed (in place through symlinks, keeping permissions)."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from photoguard.batch.paths import InputFile
from photoguard.batch.records import DONE, NO_FACE, Job, Progress, Record
from photoguard.errors import PhotoguardError
from photoguard.formats import output_format, output_name, suffix_format, wrong_name
from photoguard.types import ProtectResult

#: Photos whose faces a GPU cloaks in one batched pass (:func:`photoguard.protect_many`). On a CPU
#: batching saves little (1.14x, benchmarks/results/batching.md), so photos go one at a time there.
GPU_BATCH = 8


class Operation:
    """A per-file operation the engine runs. Subclasses are frozen dataclasses (sent to workers).

    Attributes:
        action: the verb for messages (``"protect"``).
        verb: its past tense (``"protected"``).
        finished: what happened to the files that did not fail (``"written"``).
        uses_torch: workers set ``torch.set_num_threads`` only for operations that use torch.
        batches: whether :meth:`run_batch` runs several files in one call.
    """

    action: str = "process"
    verb: str = "processed"
    finished: str = "processed"
    uses_torch: bool = False
    batches: bool = False

    def output_rel(self, item: InputFile) -> tuple[Path, tuple[Path, ...]]:
        """The output path relative to the output folder, and alternate names it may take."""
        return item.rel, ()

    def check_in_place(self, src: Path) -> str | None:
        """Why ``src`` cannot be processed in place, or None."""
        return None

    def __call__(self, job: Job, progress: Progress | None = None) -> Record:
        """Process one file; ``progress(fraction, stage)`` is called as it advances (in this process only)."""
        raise NotImplementedError

    def batch_size(self) -> int:
        """Files this operation runs together by default (:meth:`run_batch`): 1 unless it batches."""
        return 1

    def run_batch(self, jobs: Sequence[Job]) -> list[Record | PhotoguardError | OSError]:
        """Process several files in one call (only where :attr:`batches`): one entry per job, its
        record or the error that stopped that file alone. An exception means the batch failed as a
        whole (the engine then runs its files one at a time)."""
        raise NotImplementedError


def sniff_format(path: Path) -> str | None:
    """The image format from a file's magic bytes (``"JPEG"``, ``"HEIF"``…), or None."""
    from photoguard.fileio import read_regular
    from photoguard.formats import pixel_format
    from photoguard.metadata.registry import HEAD_BYTES, detect

    try:
        head = read_regular(path, HEAD_BYTES)  # a FIFO or device is refused, never read (it would block)
    except OSError:
        return None
    cls = detect(head)
    return cls.format if cls is not None else pixel_format(head)


def is_image_candidate(path: Path) -> bool:
    """True for files that look like photos by extension or by magic bytes.

    Candidates that then fail (0 bytes, corrupt, a directory) are reported as failures; other
    files found in folders (sidecars, notes) are skipped.
    """
    return suffix_format(path) is not None or sniff_format(path) is not None


@dataclass(frozen=True)
class ProtectOperation(Operation):
    """Cloak every face with :func:`photoguard.pipeline.protect` and write it without metadata."""

    strength: str = "medium"
    against: tuple[str, ...] = ("identity",)
    edit_strength: str = "medium"
    device: str = "auto"
    jpeg_quality: int = 95
    keep_icc: bool = True
    action: str = "protect"
    verb: str = "protected"
    finished: str = "written"
    uses_torch: bool = True
    batches: bool = True

    def output_rel(self, item: InputFile) -> tuple[Path, tuple[Path, ...]]:
        fmt = sniff_format(item.path) or suffix_format(item.path)
        if fmt is None:
            return item.rel, ()
        rel = output_name(item.rel, output_format(fmt))
        # A photo without a face is only stripped, losslessly, and keeps its own suffix.
        return rel, (() if rel == item.rel else (item.rel,))

    def output_for_file(self, src: Path, target: Path) -> tuple[Path, tuple[Path, ...]]:
        """``target`` checked against the format written for ``src``, and its alternate name.

        Raises:
            UsageError: the name's suffix does not match the format (a PNG named ``.jpg``).
        """
        fmt = sniff_format(src) or suffix_format(src)
        if fmt is not None and suffix_format(target) != output_format(fmt):
            raise wrong_name(target, output_format(fmt))
        return target, (() if target.suffix.lower() == src.suffix.lower() else (target.with_suffix(src.suffix),))

    def check_in_place(self, src: Path) -> str | None:
        rel, _ = self.output_rel(InputFile(src, Path(src.name), False))
        if rel.name != src.name:
            return f"cannot be protected in place: the protected photo is written as {rel.suffix} (use -o OUT)"
        return None

    def __call__(self, job: Job, progress: Progress | None = None) -> Record:
        from photoguard.pipeline import protect

        start = time.perf_counter()
        target = _temp_sibling(job.src) if job.in_place else job.dst
        try:
            result = protect(
                job.src,
                strength=self.strength,
                against=self.against,
                edit_strength=self.edit_strength,
                output=target,
                device=self.device,
                jpeg_quality=self.jpeg_quality,
                keep_icc=self.keep_icc,
                progress=progress,
            )
            return self._record(job, result, time.perf_counter() - start)
        finally:
            if job.in_place:
                target.unlink(missing_ok=True)

    def batch_size(self) -> int:
        """:data:`GPU_BATCH` when the cloak runs on a GPU, else 1."""
        from photoguard.pipeline import resolve_device

        return GPU_BATCH if resolve_device(self.device).type == "cuda" else 1

    def run_batch(self, jobs: Sequence[Job]) -> list[Record | PhotoguardError | OSError]:
        """The faces of every photo in ``jobs`` cloaked in one optimisation (:func:`photoguard.protect_many`),
        each photo then verified and written as :meth:`__call__` writes it. A record's ``seconds``
        is the batch's wall time shared equally by its photos."""
        from photoguard.many import protect_many

        start = time.perf_counter()
        targets = [_temp_sibling(job.src) if job.in_place else job.dst for job in jobs]
        try:
            outcomes = protect_many(
                [job.src for job in jobs],
                strength=self.strength,
                against=self.against,
                edit_strength=self.edit_strength,
                output=targets,
                device=self.device,
                jpeg_quality=self.jpeg_quality,
                keep_icc=self.keep_icc,
            )
            share = (time.perf_counter() - start) / len(jobs)
            results: list[Record | PhotoguardError | OSError] = []
            for job, outcome in zip(jobs, outcomes):
                if isinstance(outcome, (PhotoguardError, OSError)):
                    results.append(outcome)
                    continue
                try:
                    results.append(self._record(job, outcome, share))
                except (PhotoguardError, OSError) as exc:
                    results.append(exc)
            return results
        finally:
            for job, target in zip(jobs, targets):
                if job.in_place:
                    target.unlink(missing_ok=True)

    def _record(self, job: Job, result: ProtectResult, seconds: float) -> Record:
        """The record of a photo protected into ``result.output_path`` (moved over the photo with
        ``--in-place``) in ``seconds``."""
        written = _commit_in_place(result.output_path, job.src) if job.in_place else result.output_path
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


@dataclass(frozen=True)
class StripOperation(Operation):
    """Remove identifying metadata losslessly with :func:`photoguard.metadata.strip_metadata`."""

    keep_icc: bool = True
    action: str = "strip"
    verb: str = "stripped"
    finished: str = "stripped"

    def __call__(self, job: Job, progress: Progress | None = None) -> Record:
        from photoguard.metadata import strip_metadata

        start = time.perf_counter()
        report = strip_metadata(
            job.src, None if job.in_place else job.dst, keep_icc=self.keep_icc, in_place=job.in_place
        )
        removed = ", ".join(a.what for a in report.removed)
        return Record(
            path=str(job.src),
            output=str(job.dst),
            status=DONE,
            seconds=time.perf_counter() - start,
            message=f"removed {removed}" if removed else "nothing to remove",
            detail=report.to_dict(),
        )


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 4)


def _temp_sibling(src: Path) -> Path:
    """A hidden name next to ``src`` with the same suffix (hidden files are never walked)."""
    return src.with_name(f".{src.stem}.photoguard-{os.getpid()}{src.suffix}")


def _commit_in_place(written: Path | None, src: Path) -> Path:
    """Move ``written`` over the photo ``src`` stands for: through a symlink onto the real file
    (replacing the link would leave the real photo, GPS and all, as it was)."""
    if written is None:
        raise PhotoguardError("nothing was written", path=src)
    real = src.resolve()
    os.chmod(written, real.stat().st_mode & 0o7777)  # keep the photo's permissions
    os.replace(written, real)
    return src
