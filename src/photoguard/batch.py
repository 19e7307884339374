"""Batch engine shared by ``photoguard protect`` and ``photoguard strip``.

Three steps, each usable on its own:

1. :func:`plan` walks the inputs (:mod:`photoguard.batch_paths`), applies include/exclude
   patterns, mirrors every file below the output folder and marks what will be skipped
   (``--skip-existing``, files in folders that are not images).
2. :func:`run` runs an :class:`Operation` over the planned jobs, in this process or in a pool
   of worker processes (``workers > 1``). Every file ends as one :class:`Record`; one bad file
   never stops the batch. Ctrl-C cancels what has not started, interrupts what runs (outputs
   are written atomically, so no partial file is left) and returns what finished.
3. :func:`write_report` writes the records as JSON or CSV (by extension), atomically.

Example::

    from photoguard.batch import ProtectOperation, plan, run, write_report
    op = ProtectOperation(strength="fast")
    jobs = plan(["shoot/"], op, out="delivered/", skip_existing=True)
    outcome = run(jobs, op, workers=2)
    write_report("delivered/report.csv", outcome.records)
"""

from __future__ import annotations

import csv
import io
import json
import math
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from photoguard.batch_paths import InputFile, iter_inputs, plan_outputs
from photoguard.errors import PhotoguardError, ReportError, UsageError
from photoguard.formats import output_format, output_suffix, suffix_format

#: ``progress(fraction, stage)``: how far one file is, for a display.
Progress = Callable[[float, str], None]

DONE, SKIPPED, NO_FACE, FAILED, INTERRUPTED = "done", "skipped", "no-face", "failed", "interrupted"
STATUSES = (DONE, SKIPPED, NO_FACE, FAILED, INTERRUPTED)


@dataclass(frozen=True)
class Job:
    """One planned file.

    Attributes:
        src: the input file.
        dst: where the output goes (``src`` itself with ``--in-place``).
        alternates: other names the operation may write instead of ``dst`` (a HEIC photo without
            a face keeps its ``.heic`` name); any of them existing counts for ``--skip-existing``.
        skip: why the file is not processed (``"output exists"``), or None.
        error: a failure known before running (reported as ``failed``), or None.
        in_place: replace ``src`` with the result.
    """

    src: Path
    dst: Path
    alternates: tuple[Path, ...] = ()
    skip: str | None = None
    error: str | None = None
    in_place: bool = False


@dataclass
class Record:
    """What happened to one file; one row of the report.

    Attributes:
        path: the input file.
        output: the file written (None when nothing was written).
        status: ``done``, ``skipped``, ``no-face``, ``failed`` or ``interrupted``.
        verdict: the held-out check's answer for the photo, in words (``protected``,
            ``partly protected (1 of 2 faces)``, ``not protected (try strong)``, ``not checked``,
            ``no face``; see :class:`photoguard.types.Verdict`); None for operations without a cloak.
        faces: faces found (None for operations that do not look for faces).
        faces_protected: faces cloaked.
        verification: per face: ``{"face", "protected", "encoder", "before", "after", "threshold",
            "still_recognised", "reason"}``; ``before`` is 1.0 (the original against itself),
            ``after`` the held-out encoder's similarity of the protected face to the original.
        psnr: whole-photo PSNR of output vs input, dB (None when the pixels are unchanged).
        face_psnr: PSNR over the largest face, dB.
        seconds: time spent on the file.
        message: one line describing the result.
        error: the error message when ``status`` is ``failed``.
        detail: operation-specific extras (the metadata strip report), JSON only.
    """

    path: str
    output: str | None
    status: str
    verdict: str | None = None
    faces: int | None = None
    faces_protected: int | None = None
    verification: list[dict[str, Any]] = field(default_factory=list)
    psnr: float | None = None
    face_psnr: float | None = None
    seconds: float = 0.0
    message: str = ""
    error: str | None = None
    detail: dict[str, Any] | None = None

    @property
    def still_recognised(self) -> int:
        """Protected faces that the held-out encoder still matches to the original."""
        return sum(1 for v in self.verification if v.get("still_recognised"))

    @property
    def fully_protected(self) -> bool:
        """True unless a face of this photo is not verified protected (no face counts as safe)."""
        return self.verdict is None or self.verdict in ("protected", "no face")


# --- operations ---------------------------------------------------------------------------------


class Operation:
    """A per-file operation the engine runs. Subclasses are frozen dataclasses (sent to workers).

    Attributes:
        action: the verb for messages (``"protect"``).
        verb: its past tense (``"protected"``).
        finished: what happened to the files that did not fail (``"written"``).
        uses_torch: workers set ``torch.set_num_threads`` only for operations that use torch.
    """

    action: str = "process"
    verb: str = "processed"
    finished: str = "processed"
    uses_torch: bool = False

    def output_rel(self, item: InputFile) -> tuple[Path, tuple[Path, ...]]:
        """The output path relative to the output folder, and alternate names it may take."""
        return item.rel, ()

    def check_in_place(self, src: Path) -> str | None:
        """Why ``src`` cannot be processed in place, or None."""
        return None

    def __call__(self, job: Job, progress: Progress | None = None) -> Record:
        """Process one file; ``progress(fraction, stage)`` is called as it advances (in this process only)."""
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
    device: str = "auto"
    jpeg_quality: int = 95
    keep_icc: bool = True
    action: str = "protect"
    verb: str = "protected"
    finished: str = "written"
    uses_torch: bool = True

    def output_rel(self, item: InputFile) -> tuple[Path, tuple[Path, ...]]:
        fmt = sniff_format(item.path) or suffix_format(item.path)
        if fmt is None:
            return item.rel, ()
        suffix = item.rel.suffix
        if suffix_format(item.rel) != output_format(fmt):
            suffix = output_suffix(fmt)
        rel = item.rel.with_suffix(suffix)
        # A photo without a face is only stripped, losslessly, and keeps its own suffix.
        return rel, (() if rel == item.rel else (item.rel,))

    def output_for_file(self, src: Path, target: Path) -> tuple[Path, tuple[Path, ...]]:
        """``target`` checked against the format written for ``src``, and its alternate name.

        Raises:
            UsageError: the name's suffix does not match the format (a PNG named ``.jpg``).
        """
        fmt = sniff_format(src) or suffix_format(src)
        if fmt is not None and suffix_format(target) != output_format(fmt):
            raise UsageError(f"{target}: this photo is written as {output_format(fmt)}; "
                             f"name the output {target.stem}{output_suffix(fmt)} or give a folder")
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
            result = protect(job.src, strength=self.strength, output=target, device=self.device,
                             jpeg_quality=self.jpeg_quality, keep_icc=self.keep_icc, progress=progress)
            written = _commit_in_place(result.output_path, job.src) if job.in_place else result.output_path
        finally:
            if job.in_place:
                target.unlink(missing_ok=True)
        checks = [
            {"face": f.index + 1, "protected": f.protected, "encoder": f.verification_encoder,
             "before": 1.0 if f.verification_similarity is not None else None,
             "after": _finite(f.verification_similarity), "threshold": f.verification_threshold,
             "still_recognised": f.still_recognised, "status": str(f.status), "reason": f.reason}
            for f in result.faces
        ]
        return Record(
            path=str(job.src), output=str(written), status=DONE if result.faces_protected else NO_FACE,
            verdict=result.headline, faces=len(result.faces), faces_protected=result.faces_protected, verification=checks,
            psnr=_finite(result.psnr), face_psnr=_finite(result.face_psnr),
            seconds=time.perf_counter() - start, message=result.details,
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
        report = strip_metadata(job.src, None if job.in_place else job.dst, keep_icc=self.keep_icc, in_place=job.in_place)
        removed = ", ".join(a.what for a in report.removed)
        return Record(path=str(job.src), output=str(job.dst), status=DONE, seconds=time.perf_counter() - start,
                      message=f"removed {removed}" if removed else "nothing to remove", detail=report.to_dict())


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 4)


def _temp_sibling(src: Path) -> Path:
    """A hidden name next to ``src`` with the same suffix (hidden files are never walked)."""
    return src.with_name(f".{src.stem}.photoguard-{os.getpid()}{src.suffix}")


def _commit_in_place(written: Path | None, src: Path) -> Path:
    """Move ``written`` over the photo ``src`` stands for: through a symlink onto the real file
    (replacing the link would leave the real photo, GPS and all, as it was)."""
    if written is None:
        raise PhotoguardError(f"{src}: nothing was written")
    real = src.resolve()
    os.chmod(written, real.stat().st_mode & 0o7777)  # keep the photo's permissions
    os.replace(written, real)
    return src


# --- planning -----------------------------------------------------------------------------------


def _matches(item: InputFile, patterns: Sequence[str]) -> bool:
    names = (item.rel.as_posix().lower(), item.path.name.lower())
    return any(fnmatchcase(name, pattern.lower()) for pattern in patterns for name in names)


def select(
    paths: Iterable[str | os.PathLike], *, recursive: bool = True, include: Sequence[str] = (),
    exclude: Sequence[str] = (), skip_dirs: Iterable[str | os.PathLike] = (),
) -> list[InputFile]:
    """Expand files and folders and apply the patterns (case-insensitive, on the file name or its
    path relative to the folder given). ``skip_dirs`` are never walked (the output folder)."""
    items = []
    for item in iter_inputs(paths, recursive=recursive, exclude=skip_dirs):
        if include and not _matches(item, include):
            continue
        if exclude and _matches(item, exclude):
            continue
        items.append(item)
    return items


def plan(
    paths: Iterable[str | os.PathLike], op: Operation, *, out: str | os.PathLike | None = None,
    in_place: bool = False, recursive: bool = True, include: Sequence[str] = (), exclude: Sequence[str] = (),
    skip_existing: bool = False,
) -> list[Job]:
    """Turn command-line paths into :class:`Job` s, mirroring folders below ``out``.

    Raises:
        UsageError: neither or both of ``out`` and ``in_place``; two inputs would be written to the
            same file; an output would overwrite an input; nothing matched.
    """
    if in_place == (out is not None):
        raise UsageError("give exactly one of -o OUT (write copies) or --in-place (modify the inputs)")
    if in_place and skip_existing:
        raise UsageError("--skip-existing needs -o OUT: in place, a protected photo cannot be told from the original")
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        raise UsageError(f"{out}: the output must be a folder")
    items = select(paths, recursive=recursive, include=include, exclude=exclude, skip_dirs=[out] if out else [])
    if not items:
        raise UsageError("no files to process (check the paths and the --include/--exclude patterns)")
    if in_place:
        pairs = [(item, item.path, ()) for item in items]
    else:
        renamed = [(item, op.output_rel(item)) for item in items]
        mirrored = plan_outputs([InputFile(i.path, rel, i.from_folder) for i, (rel, _) in renamed], out)
        pairs = [(item, dst, tuple(dst.parent / a.name for a in alts))
                 for (item, (_, alts)), (_, dst) in zip(renamed, mirrored)]
    jobs = []
    for item, dst, alts in pairs:
        skip = error = None
        if item.from_folder and not is_image_candidate(item.path):
            skip = "not a supported image"
        elif skip_existing and any(p.is_file() for p in (dst, *alts)):
            skip = "output exists"
        elif in_place:
            error = op.check_in_place(item.path)
        jobs.append(Job(item.path, dst, alts, skip, error, in_place))
    return jobs


# --- running ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """Everything :func:`run` produced: one record per job, in plan order."""

    records: list[Record]
    seconds: float
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.records)

    @property
    def failed(self) -> int:
        return self.count(FAILED)


def _pre_record(job: Job) -> Record:
    if job.skip is not None:
        return Record(path=str(job.src), output=None, status=SKIPPED, message=job.skip)
    return Record(path=str(job.src), output=None, status=FAILED, error=f"{job.src}: {job.error}")


def run_one(op: Operation, job: Job, progress: Progress | None = None) -> Record:
    """Run ``op`` on one job; every error becomes a ``failed`` record (the batch goes on)."""
    start = time.perf_counter()
    try:
        return op(job, progress)
    except PhotoguardError as exc:
        msg = str(exc)
    except MemoryError:
        msg = "out of memory"
    except OSError as exc:  # a full disk, a read-only or missing folder, permissions: one clear line
        where = f" ({exc.filename})" if exc.filename else ""
        msg = f"cannot write or read a file: {exc.strerror or exc}{where}"
    except Exception as exc:  # an unexpected failure in one photo must not end a shoot
        msg = f"internal error: {type(exc).__name__}: {exc}"
    if not msg.startswith(str(job.src)):
        msg = f"{job.src}: {msg}"
    return Record(path=str(job.src), output=None, status=FAILED, seconds=time.perf_counter() - start, error=msg)


# Worker-process state: SIGINT interrupts a running job once, and is ignored while idle.
_STOP: Any = None
_BUSY = False
_PARENT: int | None = None  # the batch process that started this worker


def _on_sigint(signum: int, frame: Any) -> None:
    global _BUSY
    if _BUSY:
        _BUSY = False  # a second signal must not break the clean-up of the first
        raise KeyboardInterrupt


def _die_with(parent: int) -> None:
    """Make this worker end when ``parent`` does, even by SIGKILL: the kernel sends SIGTERM on the
    parent's death (Linux ``PR_SET_PDEATHSIG``), and SIGTERM unwinds the worker like an error, so
    its temp file is removed and nothing is committed after the parent is gone."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the checks below still stop new work
            pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _init_worker(threads: int, stop: Any, uses_torch: bool, parent: int | None = None) -> None:
    global _STOP, _PARENT
    _STOP = stop
    _PARENT = parent
    signal.signal(signal.SIGINT, _on_sigint)
    if parent is not None:
        _die_with(parent)
    if uses_torch:
        import torch

        torch.set_num_threads(threads)


def _worker_job(op: Operation, job: Job) -> Record:
    global _BUSY
    if _STOP is not None and _STOP.is_set() or _PARENT is not None and os.getppid() != _PARENT:
        return Record(path=str(job.src), output=None, status=INTERRUPTED, message="not started (interrupted)")
    _BUSY = True
    try:
        return run_one(op, job)
    except KeyboardInterrupt:
        return Record(path=str(job.src), output=None, status=INTERRUPTED, message="interrupted; nothing written")
    except SystemExit as exc:  # SIGTERM (the parent died): the temp file is gone by now; end here, do not
        os._exit(exc.code if isinstance(exc.code, int) else 1)  # report back to a pool that has no reader
    finally:
        _BUSY = False


def run(
    jobs: Sequence[Job], op: Operation, *, workers: int = 1,
    on_start: Callable[[Job], None] | None = None, on_record: Callable[[Record], None] | None = None,
    on_progress: Callable[[Job, float, str], None] | None = None,
) -> Outcome:
    """Run ``op`` over ``jobs``; ``on_record`` is called once per file as it finishes.

    ``on_start`` is called before each file and ``on_progress(job, fraction, stage)`` as it
    advances (model loading, face, optimisation step) when running in this process. ``workers > 1`` runs
    that many processes (each loads its models once and uses :func:`worker_threads` torch
    threads). Ctrl-C returns an :class:`Outcome` with ``interrupted=True``: finished files are kept, the others are marked ``interrupted``.
    """
    if workers < 1:
        raise UsageError("--jobs must be at least 1")
    start = time.perf_counter()
    records: dict[int, Record] = {}
    notify = on_record or (lambda record: None)
    todo = []
    for i, job in enumerate(jobs):
        if job.skip is not None or job.error is not None:
            records[i] = _pre_record(job)
            notify(records[i])
        else:
            todo.append(i)
    with _sigterm_stops():
        if workers == 1 or len(todo) <= 1:
            interrupted = _run_here(jobs, todo, op, records, on_start, notify, on_progress)
        else:
            interrupted = _run_pool(jobs, todo, op, records, min(workers, len(todo)), notify)
    for i, job in enumerate(jobs):
        records.setdefault(i, Record(path=str(job.src), output=None, status=INTERRUPTED, message="not started (interrupted)"))
    return Outcome([records[i] for i in range(len(jobs))], time.perf_counter() - start, interrupted)


@contextmanager
def _sigterm_stops():
    """While a batch runs, SIGTERM stops it as Ctrl-C does (finished files and the report are kept,
    workers are told to stop, no temp file is left); outside the main thread nothing changes."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _run_here(jobs, todo, op, records, on_start, notify, on_progress=None) -> bool:
    current = None
    try:
        for i in todo:
            current = i
            if on_start:
                on_start(jobs[i])
            progress = None if on_progress is None else (lambda f, stage, job=jobs[i]: on_progress(job, f, stage))
            records[i] = run_one(op, jobs[i], progress)
            notify(records[i])
    except KeyboardInterrupt:
        if current is not None and current not in records:
            records[current] = Record(path=str(jobs[current].src), output=None, status=INTERRUPTED,
                                      message="interrupted; nothing written")
        return True
    return False


def default_workers(files: int, *, min_files: int = 16, most: int = 4) -> int:
    """Worker processes for a batch that does not use torch (metadata strip) when none were asked
    for: one per CPU core, at most ``most``, for ``min_files`` files or more; else 1 (a forked
    worker costs a few ms, but a handful of files is done before a pool pays off)."""
    return max(1, min(os.cpu_count() or 1, most)) if files >= min_files else 1


def worker_threads(workers: int) -> int:
    """Torch threads per worker: ``$OMP_NUM_THREADS`` when set, else ``cores // workers``.

    On a CPU shared with other busy processes, more than one thread per process can be many
    times slower (threads wait for each other); ``OMP_NUM_THREADS=1`` avoids that.
    """
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, (os.cpu_count() or 1) // workers)


def _run_pool(jobs, todo, op, records, workers, notify) -> bool:
    # Fork is cheap (metadata-only jobs start in milliseconds) but unsafe once torch has started
    # its threads; protect jobs, or any process that imported torch, spawn fresh workers.
    forkable = not op.uses_torch and "torch" not in sys.modules and "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if forkable else "spawn")
    stop = ctx.Event()
    threads = worker_threads(workers)
    interrupted = False
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(threads, stop, op.uses_torch, os.getpid())) as pool:
        pending: dict[Future, int] = {}
        try:
            for i in todo:
                pending[pool.submit(_worker_job, op, jobs[i])] = i
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    i = pending.pop(fut)
                    records[i] = fut.result()
                    notify(records[i])
        except KeyboardInterrupt:
            interrupted = True
            stop.set()
            for fut in pending:
                fut.cancel()
            for child in multiprocessing.active_children():
                try:  # Ctrl-C in a terminal reaches the workers already; a signal to the parent alone does not
                    os.kill(child.pid, signal.SIGINT)
                except (OSError, TypeError):
                    pass
            try:
                for fut, i in pending.items():
                    if not fut.cancelled():
                        records[i] = fut.result()
                        notify(records[i])
            except (KeyboardInterrupt, BrokenProcessPool):  # a worker died while stopping: its file was
                pass                                          # written atomically or not at all
    return interrupted


# --- reports ------------------------------------------------------------------------------------

CSV_FIELDS = ("path", "output", "status", "verdict", "faces", "faces_protected", "verification_encoder", "threshold",
              "similarity_before", "similarity_after", "still_recognised", "psnr", "face_psnr", "seconds", "message", "error")


def _csv_row(r: Record) -> dict[str, Any]:
    checked = [v for v in r.verification if v.get("after") is not None]

    def joined(key: str) -> str:
        return ";".join(f"{v[key]:.4f}" for v in checked)

    return {
        "path": r.path, "output": r.output or "", "status": r.status, "verdict": r.verdict or "", "faces": "" if r.faces is None else r.faces,
        "faces_protected": "" if r.faces_protected is None else r.faces_protected,
        "verification_encoder": checked[0]["encoder"] if checked else "",
        "threshold": f"{checked[0]['threshold']:.4f}" if checked else "",
        "similarity_before": joined("before"), "similarity_after": joined("after"),
        "still_recognised": r.still_recognised if checked else "",
        "psnr": "" if r.psnr is None else f"{r.psnr:.2f}", "face_psnr": "" if r.face_psnr is None else f"{r.face_psnr:.2f}",
        "seconds": f"{r.seconds:.2f}", "message": r.message, "error": r.error or "",
    }


def _json_row(r: Record) -> dict[str, Any]:
    return {k: round(v, 3) if k == "seconds" else v for k, v in asdict(r).items() if not (k == "detail" and v is None)}


def _earlier_rows(path: Path, kind: str) -> dict[str, dict[str, Any]]:
    """The finished rows of an existing report, by input path; {} when there is none or it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
        rows = json.loads(text) if kind == ".json" else list(csv.DictReader(io.StringIO(text)))
    except (OSError, UnicodeDecodeError, ValueError, csv.Error):
        return {}
    if not isinstance(rows, list):
        return {}
    return {row["path"]: row for row in rows
            if isinstance(row, dict) and isinstance(row.get("path"), str) and row.get("status") in (DONE, NO_FACE)}


def write_report(path: str | os.PathLike, records: Sequence[Record], *, keep_earlier: bool = True) -> Path:
    """Write one record per file as ``.json`` (a list of objects) or ``.csv`` (one row each).

    Per-face scores in CSV are ``;``-separated in face order. The file is written atomically.
    With ``keep_earlier``, a file skipped because its output exists keeps its row from the report
    already at ``path`` (a resumed run's report describes the whole shoot, not "skipped").
    """
    from photoguard.imageio import atomic_write_bytes

    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".json", ".csv"):
        raise UsageError(f"{path}: the report must end in .json or .csv")
    rows = [_json_row(r) if kind == ".json" else _csv_row(r) for r in records]
    if keep_earlier and any(r.status == SKIPPED for r in records):
        earlier = _earlier_rows(path, kind)
        rows = [earlier.get(r.path, row) if r.status == SKIPPED else row for r, row in zip(records, rows)]
    # A file name that is not UTF-8 holds surrogates (surrogateescape): written as \\udcXX escapes,
    # which json.loads turns back into the same name, instead of failing after the whole batch.
    if kind == ".json":
        data = (json.dumps(rows, indent=2, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")
    else:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        data = buf.getvalue().encode("utf-8", "backslashreplace")
    try:
        return atomic_write_bytes(path, data)
    except OSError as exc:
        raise ReportError(f"{path}: cannot write the report ({exc.strerror or exc})") from None


def check_report_path(path: str | os.PathLike | None) -> None:
    """Raise :class:`UsageError` before any work when ``--report`` cannot be written: an unknown
    extension, a folder, or a parent that is a file."""
    if path is None:
        return
    path = Path(path)
    if path.suffix.lower() not in (".json", ".csv"):
        raise UsageError(f"{path}: the report must end in .json or .csv")
    if path.is_dir():
        raise UsageError(f"{path}: the report path is a folder")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise UsageError(f"{path}: {parent} is a file, not a folder")
