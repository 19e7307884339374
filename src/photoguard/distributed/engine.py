"""``run_ray``: the batch engine's :func:`~photoguard.batch.run` on a Ray Data pipeline.

The plan is the local engine's (:func:`photoguard.batch.plan`: mirroring, collisions,
``--skip-existing``), the work per file is the local engine's (:func:`photoguard.batch.run_one`
on the same :class:`~photoguard.batch.Operation`), so a file gets the same output and the same
record on either engine. What Ray adds is where the work runs: a pool of actors on this machine
or on every node of a cluster, each running one job while the next waits on it, the records
streamed back as they finish.
"""

from __future__ import annotations

import math
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from photoguard.batch.operations import GPU_BATCH, Operation
from photoguard.batch.records import FAILED, INTERRUPTED, Job, Outcome, Record, record_from_json
from photoguard.batch.runner import check_batch, settle_planned, sigterm_stops, written_since
from photoguard.distributed.actor import OperationActor, job_to_json
from photoguard.distributed.cluster import CONNECT_TIMEOUT_S, Cluster, connect, import_ray
from photoguard.errors import UsageError


def actor_plan(cluster: Cluster, op: Operation, *, num_cpus: int | None, num_gpus: int | None) -> tuple[int, bool]:
    """``(actors, on_gpu)``: one actor per GPU asked for (``num_gpus``), else one per CPU asked for
    (default: every CPU of the cluster). Operations without torch never take a GPU.

    Raises:
        UsageError: more GPUs asked for than the cluster has, or a count below 1.
    """
    if num_gpus:
        if num_gpus < 1:
            raise UsageError("--num-gpus must be at least 1")
        if not op.uses_torch:
            raise UsageError(f"{op.action} does not use a GPU: leave out --num-gpus")
        if num_gpus > cluster.gpus:
            raise UsageError(f"--num-gpus {num_gpus} asked for, the Ray cluster has {cluster.gpus} GPU(s)")
        return num_gpus, True
    actors = num_cpus if num_cpus is not None else cluster.cpus
    if actors < 1:
        raise UsageError("--num-cpus must be at least 1" if num_cpus is not None else "the Ray cluster has no CPU")
    return actors, False


def run_ray(
    jobs: Sequence[Job],
    op: Operation,
    *,
    address: str | None = None,
    num_cpus: int | None = None,
    num_gpus: int | None = None,
    on_record: Callable[[Record], None] | None = None,
    batch: int | None = None,
    connect_timeout: float = CONNECT_TIMEOUT_S,
) -> Outcome:
    """Run ``op`` over ``jobs`` on Ray actors; ``on_record`` is called once per file as it finishes.

    Args:
        jobs: the plan (:func:`photoguard.batch.plan`); skipped and known-bad jobs never leave this process.
        op: the operation; one that uses a device runs as its copy on ``"cuda"`` on GPU actors and
            ``"cpu"`` on CPU actors (:meth:`~photoguard.batch.Operation.on_device`).
        address: the cluster to join (see :func:`~photoguard.distributed.cluster.connect`); None
            starts a private local cluster of ``num_cpus`` CPUs for this run.
        num_cpus: CPU actors, one torch thread each (default: every CPU of the cluster).
        num_gpus: GPU actors instead, one per GPU.
        batch: photos an actor runs together (:func:`~photoguard.batch.runner.run_group`: their
            faces cloaked in one pass); default :data:`~photoguard.batch.operations.GPU_BATCH` on
            GPU actors, 1 on CPU actors.
        connect_timeout: seconds to wait for the cluster at ``address`` (an unreachable one is a
            :class:`~photoguard.errors.UsageError`, before any photo is run).

    Returns:
        The same :class:`~photoguard.batch.Outcome` as :func:`photoguard.batch.run`: one record per
        job in plan order. Ctrl-C (or SIGTERM) returns ``interrupted=True``: the photos already
        running finish (for up to :data:`STOP_GRACE_S`), none starts after it, finished files are
        kept, outputs are written atomically (never a partial file), files without a result are
        ``interrupted``. An actor lost for good (a node gone) fails its files, never loses them.
    """
    start = time.perf_counter()
    started = time.time()
    check_batch(batch)  # before any record is passed on
    notify = on_record or (lambda record: None)
    records, todo = settle_planned(jobs, notify)
    interrupted = False
    lost: str | None = None
    if todo:
        import_ray()
        try:
            with (
                sigterm_stops(),
                connect(address, num_cpus=num_cpus if address is None else None, timeout=connect_timeout) as cluster,
            ):
                actors, on_gpu = actor_plan(cluster, op, num_cpus=num_cpus, num_gpus=num_gpus)
                pool = min(actors, len(todo))
                size = batch if batch is not None else (GPU_BATCH if on_gpu and op.batches else 1)
                size = min(size, math.ceil(len(todo) / pool))  # a small run still spreads over every actor
                switch = StopSwitch(f"photoguard-stop-{uuid.uuid4().hex}")
                dataset = _pipeline(jobs, todo, op, actors=pool, on_gpu=on_gpu, batch=size, stop_name=switch.name)
                for row in _rows(
                    dataset,
                    lambda: any(written_since(jobs[i], started) for i in todo if i not in records),
                    stop=switch.flip,
                    actors=pool,
                ):
                    i = int(row["index"])
                    records[i] = record_from_json(row["record"])
                    notify(records[i])
        except Interrupted:
            interrupted = True
        except KeyboardInterrupt:  # while joining the cluster: nothing ran
            interrupted = True
        except UsageError:
            raise
        except Exception as exc:  # noqa: BLE001 - an actor that died again and again, a node gone: its files fail
            first = (str(exc).splitlines() or [""])[0][:200]
            lost = f"the Ray pipeline running it failed ({type(exc).__name__}: {first})"
    for i in todo:
        if i not in records:
            src = str(jobs[i].src)
            if lost is not None:
                records[i] = Record(path=src, output=None, status=FAILED, error=f"{src}: {lost}")
            else:
                records[i] = Record(path=src, output=None, status=INTERRUPTED, message="interrupted before it was done")
            notify(records[i])
    return Outcome([records[i] for i in range(len(jobs))], time.perf_counter() - start, interrupted)


class Interrupted(Exception):
    """Ctrl-C or SIGTERM stopped the run (after the results already on their way came in)."""


class StopSwitch:
    """How the driver tells every actor to stop taking photos: on :meth:`flip` it creates a Ray actor
    named ``name`` (no CPU, does nothing); :class:`~photoguard.distributed.actor.OperationActor` s
    look the name up before each call. The switch holds the actor's handle (the actor ends with it)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handle: Any = None

    def flip(self) -> None:
        if self._handle is None:
            import ray

            self._handle = ray.remote(num_cpus=0)(_Stopped).options(name=self.name).remote()


class _Stopped:
    """The stop signal's actor: that it exists is the signal."""


#: After Ctrl-C, how long the photos already running may take to finish, seconds.
STOP_GRACE_S = 30.0

_END = object()


def _rows(
    dataset,
    in_transit: Callable[[], bool],
    *,
    stop: Callable[[], None],
    actors: int,
    grace: float = STOP_GRACE_S,
) -> Iterator[dict[str, Any]]:
    """The pipeline's output rows as they finish. Ctrl-C (KeyboardInterrupt in this thread) calls
    ``stop()`` (every actor returns its next calls not started), reads on until each of the
    ``actors`` has returned such a call (its running photo is over) and no photo is
    ``in_transit()`` (written, its row on its way), for up to ``grace`` seconds, then raises
    :class:`Interrupted`: a photo finished is kept with its record, none is started after Ctrl-C.

    Ray Data runs in a thread of its own here: the interrupt reaches this thread's wait on the
    queue, never Ray's iterator in the middle of a step.
    """
    results: queue.Queue[Any] = queue.Queue()
    close = threading.Event()  # set once the caller stops reading: the next row ends the pipeline

    def pump() -> None:
        try:
            for row in dataset.iter_rows():
                results.put(row)
                if close.is_set():
                    break  # closing the iterator ends the pipeline and its actors
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
            results.put(exc)
        results.put(_END)

    threading.Thread(target=pump, name="photoguard-ray-rows", daemon=True).start()
    try:
        while (item := results.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    except KeyboardInterrupt:
        deadline = time.monotonic() + grace
        stopped: set[str] = set()  # actors that returned a call not started: nothing runs there now
        try:
            stop()
            while len(stopped) < actors or in_transit():
                try:
                    item = results.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is _END or isinstance(item, BaseException):
                    break
                if not item["started"]:
                    stopped.add(str(item["actor"]))
                yield item
        finally:
            close.set()
        raise Interrupted from None


#: Calls of ``batch`` jobs each actor holds at once: the one it runs and the next one, already on
#: the actor when the first ends. With one, every photo waited ~0.15 s for the driver's scheduling
#: loop (it polls every 0.1 s) to notice the end and send the next one: 7 s per actor on the
#: 100-photo shoot at ``fast`` (measured, docs/ray_overhead.md). More than two only lengthens the
#: tail, where a photo queued on a busy actor waits while another actor idles.
CALLS_PER_ACTOR = 2


def _pipeline(
    jobs: Sequence[Job],
    todo: list[int],
    op: Operation,
    *,
    actors: int,
    on_gpu: bool,
    batch: int = 1,
    stop_name: str,
):
    """The Ray Data pipeline: one block per job (so any actor can take any photo), mapped by a
    fixed pool of :class:`OperationActor` s, each holding :data:`CALLS_PER_ACTOR` calls of ``batch``
    jobs at a time and stopping once the :class:`StopSwitch` named ``stop_name`` is flipped."""
    import ray.data

    rows = [{"index": np.int64(i), "job": job_to_json(jobs[i])} for i in todo]
    dataset = ray.data.from_items(rows, override_num_blocks=len(rows))
    op = op.on_device("cuda" if on_gpu else "cpu")  # a CPU actor on a GPU node must not take the GPU it did not reserve
    return dataset.map_batches(
        _bound(op, os.getcwd(), stop_name),
        batch_size=batch,
        batch_format="numpy",
        num_cpus=None if on_gpu else 1,  # not both: Ray warns that CPUs and GPUs at once are experimental
        num_gpus=1 if on_gpu else None,
        compute=ray.data.ActorPoolStrategy(size=actors, max_tasks_in_flight_per_actor=CALLS_PER_ACTOR),
    )


def _bound(op: Operation, cwd: str, stop_name: str) -> type[OperationActor]:
    """:class:`OperationActor` with its arguments built in: Ray ships the class with the code (no
    constructor arguments in the object store, which Ray warns cannot be restored after a restart)."""

    class BoundOperationActor(OperationActor):
        def __init__(self) -> None:
            super().__init__(op, cwd, threads=1, stop_name=stop_name)

    return BoundOperationActor
