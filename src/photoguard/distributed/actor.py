"""The Ray Data actor that runs a batch :class:`~photoguard.batch.Operation` on its share of the jobs,
and how a job travels as a row (one JSON string, as a record does: :func:`~photoguard.batch.records.record_to_json`;
Arrow needs one schema, a record's per-face checks and strip details vary from file to file)."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import numpy as np

from photoguard.batch.operations import Operation
from photoguard.batch.records import Job, not_started, record_to_json
from photoguard.batch.runner import run_group
from photoguard.batch.storage import location


def job_to_json(job: Job) -> str:
    """One job as an ASCII JSON string (a file name that is not UTF-8 keeps its surrogate escapes;
    a remote file is its URI)."""
    return json.dumps(
        {
            "src": str(job.src),
            "dst": str(job.dst),
            "alternates": [str(p) for p in job.alternates],
            "in_place": job.in_place,
            "overwrite": job.overwrite,
        }
    )


def job_from_json(text: str) -> Job:
    row = json.loads(text)
    src, dst, alternates = location(row["src"]), location(row["dst"]), tuple(location(p) for p in row["alternates"])
    return Job(src, dst, alternates, in_place=row["in_place"], overwrite=row["overwrite"])


class OperationActor:
    """One Ray actor: loads nothing until its first photo, then keeps the models for the next ones.

    The cloak and its encoders are cached per process by :mod:`photoguard.pipeline`, and an actor
    is one long-lived process, so the models load once per actor, not once per photo.

    Args:
        op: the operation, exactly as the local engine runs it (device already chosen).
        cwd: the driver's working folder: relative paths in the jobs mean the same files here
            (on a cluster: a shared filesystem mounted at the same path on every node; URIs are
            read and written through ``pyarrow.fs`` with this node's credentials).
        threads: torch threads of this actor (1 for a CPU actor: one actor per core scales,
            several threads per process on a busy CPU wait for each other).
        stop_name: the name of the Ray actor the driver creates on Ctrl-C
            (:func:`~photoguard.distributed.engine.run_ray`); once it exists, every call returns
            its jobs ``interrupted`` without starting them. None: never stop.
    """

    def __init__(self, op: Operation, cwd: str, threads: int = 1, stop_name: str | None = None) -> None:
        os.chdir(cwd)
        if op.uses_torch:
            import torch

            torch.set_num_threads(threads)
        self.op = op
        self.stop_name = stop_name
        self.stopped = False
        self.id = uuid.uuid4().hex  # tells the driver which actor a row came from

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        """``{"index", "job"}`` rows in, ``{"index", "record", "actor", "started"}`` rows out (the
        record as JSON, this actor's id, False for jobs not started after a stop); every error is a
        record. Several rows (GPU actors) are run together: :func:`~photoguard.batch.runner.run_group`."""
        jobs = [job_from_json(str(text)) for text in batch["job"]]
        started = not self._stop_requested()
        results = run_group(self.op, jobs) if started else [not_started(job) for job in jobs]
        return {
            "index": np.asarray(batch["index"]),
            "record": np.asarray([record_to_json(record) for record in results], dtype=object),
            "actor": np.asarray([self.id] * len(jobs), dtype=object),
            "started": np.asarray([started] * len(jobs)),
        }

    def _stop_requested(self) -> bool:
        """Whether the driver asked to stop: its stop actor exists (one lookup, ~0.5 ms)."""
        if self.stop_name is not None and not self.stopped:
            import ray

            try:
                ray.get_actor(self.stop_name)
                self.stopped = True
            except ValueError:  # not created: carry on
                pass
        return self.stopped
