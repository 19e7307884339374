"""Running a batch: in this process or in a pool of worker processes; one bad file never stops it,
Ctrl-C or SIGTERM stops it cleanly, and workers never outlive the process that started them."""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from photoguard.batch.operations import Operation
from photoguard.batch.records import FAILED, INTERRUPTED, SKIPPED, Job, Outcome, Progress, Record, not_started
from photoguard.batch.storage import modified
from photoguard.errors import PhotoguardError, UsageError, about
from photoguard.fileio import remove_stale_temporaries


def _pre_record(job: Job) -> Record:
    """The record of a job that is not run: ``skipped`` (``job.skip``) or ``failed`` (``job.error``)."""
    if job.skip is not None:
        return Record(path=str(job.src), output=None, status=SKIPPED, message=job.skip)
    return Record(path=str(job.src), output=None, status=FAILED, error=f"{job.src}: {job.error}")


def settle_planned(jobs: Sequence[Job], notify: Callable[[Record], None]) -> tuple[dict[int, Record], list[int]]:
    """``(records, todo)``: the records of the jobs the plan already decided (skipped, or failed
    before running), each passed to ``notify``, and the indices of the jobs left to run. Both
    engines start from this; it first removes what killed runs left in the local folders this run
    writes to (:func:`photoguard.fileio.remove_stale_temporaries`: temporaries of processes of this
    machine that no longer exist)."""
    remove_stale_temporaries(job.dst.parent for job in jobs if isinstance(job.dst, Path))
    records: dict[int, Record] = {}
    todo = []
    for i, job in enumerate(jobs):
        if job.skip is not None or job.error is not None:
            records[i] = _pre_record(job)
            notify(records[i])
        else:
            todo.append(i)
    return records, todo


def check_batch(batch: int | None) -> None:
    """Raise :class:`UsageError` for a ``batch`` size (files run together) below 1; None is the default."""
    if batch is not None and batch < 1:
        raise UsageError("batch must be at least 1")


def run_one(op: Operation, job: Job, progress: Progress | None = None) -> Record:
    """Run ``op`` on one job; every error becomes a ``failed`` record (the batch goes on)."""
    start = time.perf_counter()
    try:
        return op(job, progress)
    except Exception as exc:  # noqa: BLE001 - the edge of one file: a bug in one photo must not end a shoot
        return failed_record(job, exc, time.perf_counter() - start)


def failed_record(job: Job, exc: Exception, seconds: float) -> Record:
    """The ``failed`` record of ``job`` stopped by ``exc``, in one clear line."""
    problem: PhotoguardError | str
    if isinstance(exc, PhotoguardError):
        problem = exc
    elif isinstance(exc, MemoryError):
        problem = "out of memory"
    elif isinstance(exc, OSError):  # a full disk, a read-only or missing folder, permissions
        where = f" ({exc.filename})" if exc.filename else ""
        problem = f"cannot write or read a file: {exc.strerror or exc}{where}"
    else:
        problem = f"internal error: {type(exc).__name__}: {exc}"
    return Record(path=str(job.src), output=None, status=FAILED, seconds=seconds, error=about(str(job.src), problem))


def run_group(
    op: Operation, jobs: Sequence[Job], on_record: Callable[[int, Record], None] | None = None
) -> list[Record]:
    """Run ``op`` on several jobs: those it batches together (:meth:`Operation.run_batch`: the faces
    of every photo cloaked in one pass), the others one at a time. One record per job, in order,
    every error a ``failed`` record; ``on_record(k, record)`` is called as soon as job ``k`` is done.

    A batch that fails as a whole (out of GPU memory) leaves the photos it did not finish to run
    again one at a time, after the failed batch's memory is released.
    """
    records: dict[int, Record] = {}

    def done(k: int, result: Record | Exception, since: float) -> None:
        records[k] = (
            result if isinstance(result, Record) else failed_record(jobs[k], result, time.perf_counter() - since)
        )
        if on_record is not None:
            on_record(k, records[k])

    together = [k for k, job in enumerate(jobs) if op.batches and op.can_batch(job)]
    retry = list(jobs)
    if len(together) > 1:
        start, started = time.perf_counter(), time.time()
        failed = False
        try:
            op.run_batch([jobs[k] for k in together], lambda j, result: done(together[j], result, start))
        except Exception:  # noqa: BLE001 - whatever stopped the batch, its unfinished photos get their own try
            failed = True
        if failed:  # outside the except block: its traceback no longer holds the batch's tensors
            _release_accelerator_memory()
            # A photo the failed batch wrote before it stopped is this run's own file: its retry may
            # replace it (the plan refused every output that existed before the run).
            retry = [replace(job, overwrite=True) if written_since(job, started) else job for job in jobs]
    for k, job in enumerate(retry):
        if k not in records:
            done(k, run_one(op, job), time.perf_counter())
    return [records[k] for k in range(len(jobs))]


def written_since(job: Job, started: float) -> bool:
    """Whether ``job``'s output (or an alternate name) was written after ``started`` (epoch seconds)."""
    for path in (job.dst, *job.alternates):
        written = modified(path)  # a local file, or an object through pyarrow.fs
        if written is not None and written >= started - 1.0:  # filesystems with coarse timestamps
            return True
    return False


def _release_accelerator_memory() -> None:
    """Hand the GPU memory torch cached back (after a batch ran out of it), if torch runs on a GPU."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


# Worker-process state: SIGINT interrupts a running job once, and is ignored while idle.
_STOP: Any = None
_BUSY = False
_PARENT: int | None = None  # the batch process that started this worker
_PROGRESS: Any = None  # a queue of (job index, fraction, stage) back to the batch process, or None


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


def _init_worker(threads: int, stop: Any, uses_torch: bool, parent: int | None = None, progress: Any = None) -> None:
    global _STOP, _PARENT, _PROGRESS
    _STOP = stop
    _PARENT = parent
    _PROGRESS = progress
    signal.signal(signal.SIGINT, _on_sigint)
    if parent is not None:
        _die_with(parent)
    if uses_torch:
        import torch

        torch.set_num_threads(threads)


def _worker_job(op: Operation, job: Job, index: int = 0) -> Record:
    global _BUSY
    if (_STOP is not None and _STOP.is_set()) or (_PARENT is not None and os.getppid() != _PARENT):
        return not_started(job)
    _BUSY = True
    progress = None
    if _PROGRESS is not None:
        queue = _PROGRESS

        def progress(fraction: float, stage: str) -> None:
            queue.put((index, fraction, stage))

    try:
        return run_one(op, job, progress)
    except KeyboardInterrupt:
        return Record(path=str(job.src), output=None, status=INTERRUPTED, message="interrupted; nothing written")
    except SystemExit as exc:  # SIGTERM (the parent died): the temp file is gone by now; end here, do not
        os._exit(exc.code if isinstance(exc.code, int) else 1)  # report back to a pool that has no reader
    finally:
        _BUSY = False


def run(
    jobs: Sequence[Job],
    op: Operation,
    *,
    workers: int = 1,
    on_start: Callable[[Job], None] | None = None,
    on_record: Callable[[Record], None] | None = None,
    on_progress: Callable[[Job, float, str], None] | None = None,
    batch: int | None = None,
) -> Outcome:
    """Run ``op`` over ``jobs``; ``on_record`` is called once per file as it finishes.

    ``on_start`` is called before each file and ``on_progress(job, fraction, stage)`` as it
    advances (model loading, face, optimisation step), from workers too (through a queue, read
    while waiting for them, so a stage arrives within about :data:`PROGRESS_POLL` s). ``workers > 1`` runs
    that many processes (each loads its models once and uses :func:`worker_threads` torch
    threads). Ctrl-C returns an :class:`Outcome` with ``interrupted=True``: finished files are kept, the others are marked ``interrupted``.

    ``batch``: files run together in this process (:func:`run_group`; default
    :meth:`Operation.batch_size`: several photos per pass on a GPU, one on a CPU); with
    ``workers > 1`` each worker takes one file at a time. Batched files report no progress.
    """
    if workers < 1:
        raise UsageError("--jobs must be at least 1")
    check_batch(batch)
    start = time.perf_counter()
    notify = on_record or (lambda record: None)
    records, todo = settle_planned(jobs, notify)
    with sigterm_stops():
        if workers == 1 or len(todo) <= 1:
            size = (batch or op.batch_size()) if len(todo) > 1 else 1
            interrupted = _run_here(jobs, todo, op, records, on_start, notify, on_progress, size)
        else:
            interrupted = _run_pool(jobs, todo, op, records, min(workers, len(todo)), notify, on_progress)
    for i, job in enumerate(jobs):
        records.setdefault(i, not_started(job))
    return Outcome([records[i] for i in range(len(jobs))], time.perf_counter() - start, interrupted)


@contextmanager
def sigterm_stops():
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


def _run_here(jobs, todo, op, records, on_start, notify, on_progress=None, batch: int = 1) -> bool:
    current: list[int] = []

    def finished(k: int, record: Record) -> None:
        records[current[k]] = record  # stored before the display sees it: a Ctrl-C there keeps it
        notify(record)

    try:
        for first in range(0, len(todo), batch):
            current = todo[first : first + batch]
            if on_start:
                for i in current:
                    on_start(jobs[i])
            if len(current) == 1:
                i = current[0]
                progress = None if on_progress is None else (lambda f, stage, job=jobs[i]: on_progress(job, f, stage))
                finished(0, run_one(op, jobs[i], progress))
            else:
                run_group(op, [jobs[i] for i in current], finished)
    except KeyboardInterrupt:
        for i in current:
            if i not in records:
                records[i] = Record(
                    path=str(jobs[i].src), output=None, status=INTERRUPTED, message="interrupted; nothing written"
                )
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


#: Seconds between two reads of the workers' progress queue.
PROGRESS_POLL = 0.2


def _relay(progress: Any, jobs, records, on_progress) -> None:
    """Pass the workers' progress on, in order, for files still running."""
    while True:
        try:
            index, fraction, stage = progress.get_nowait()
        except queue.Empty:
            return
        if index not in records:
            on_progress(jobs[index], fraction, stage)


def _start_resource_tracker_quietly() -> None:
    """Start multiprocessing's resource tracker (once per process) with its standard error on the
    null device. With spawned workers the pool's locks are named semaphores, and the tracker is
    what unlinks them when this process dies without doing so (SIGKILL); it then warns "There
    appear to be 13 leaked semaphore objects to clean up at shutdown" about the very semaphores it
    is cleaning up, a line that reads like a fault to a person after a kill. It still cleans them;
    only that line (and any other output of the tracker) is gone. A tracker already running (an
    earlier pool, the caller's own) is left as it is."""
    if os.name != "posix":
        return
    from multiprocessing import resource_tracker

    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)  # the tracker inherits descriptor 2 as it is now
        resource_tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def _run_pool(jobs, todo, op, records, workers, notify, on_progress=None) -> bool:
    # Fork is cheap (metadata-only jobs start in milliseconds) but unsafe once torch has started
    # its threads; protect jobs, or any process that imported torch, spawn fresh workers.
    # A process that has set up a pyarrow S3/GCS client (its SDK's threads) must not fork either.
    remote = any(not jobs[i].is_local for i in todo)
    forkable = not op.uses_torch and not remote and "torch" not in sys.modules
    forkable = forkable and "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if forkable else "spawn")
    if not forkable:
        _start_resource_tracker_quietly()
    stop = ctx.Event()
    progress = ctx.Queue() if on_progress is not None else None
    threads = worker_threads(workers)
    interrupted = False
    with ProcessPoolExecutor(
        workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(threads, stop, op.uses_torch, os.getpid(), progress),
    ) as pool:
        pending: dict[Future, int] = {}
        try:
            for i in todo:
                pending[pool.submit(_worker_job, op, jobs[i], i)] = i
            while pending:
                finished, _ = wait(pending, timeout=PROGRESS_POLL if progress else None, return_when=FIRST_COMPLETED)
                if progress is not None:
                    _relay(progress, jobs, records, on_progress)
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
                if child.pid is None:
                    continue
                try:  # Ctrl-C in a terminal reaches the workers already; a signal to the parent alone does not
                    os.kill(child.pid, signal.SIGINT)
                except OSError:
                    pass
            try:
                for fut, i in pending.items():
                    if not fut.cancelled():
                        records[i] = fut.result()
                        notify(records[i])
            except (KeyboardInterrupt, BrokenProcessPool):  # a worker died while stopping: its file was
                pass  # written atomically or not at all
    return interrupted
