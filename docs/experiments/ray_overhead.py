"""Where the Ray engine's time goes on this machine (the numbers in ``docs/ray_overhead.md``).

Two measurements, each on a private local Ray cluster of 2 CPUs:

* ``idle``: Ray Data's own CPU while a pool of 2 actors sleeps 1 s per row (60 rows, ~30 s): what
  the driver, Ray's processes and Ray Data's system actors take from the cores the photos need.
  Every process's CPU (user + system) is read from ``/proc`` before and after, once the actors
  are up.
* ``startup``: when each phase of a real run ends (``import ray``, ``ray.init``, the actors'
  constructors, their calls, the first row back in the driver, ``ray.shutdown``), on every k-th
  photo of the benchmark shoot at ``fast``, and the idle gaps between one call's end and the
  next call's start on the same actor.
* ``actors``: the same photo protected 8 times (after one warm-up) in each of two plain spawned
  processes, then in each of two Ray actors (core Ray, no Ray Data): seconds per photo, the
  process's CPU seconds per photo and the calling thread's.

Usage (a quiet machine; nothing else running)::

    OMP_NUM_THREADS=1 .venv/bin/python docs/experiments/ray_overhead.py idle [--calls 1]
    OMP_NUM_THREADS=1 .venv/bin/python docs/experiments/ray_overhead.py startup [--every 5] [--calls 2]
    OMP_NUM_THREADS=1 .venv/bin/python docs/experiments/ray_overhead.py actors [--photo PATH]
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
T0 = time.time()
LOG = Path("/tmp/photoguard_ray_overhead.log")
SHOOT = (
    Path(__file__).resolve().parents[2] / "benchmarks" / "work" / "shoot"
)  # benchmarks/batch_throughput.py builds it


def cpu_by_process() -> dict[str, tuple[float, str]]:
    """pid -> (CPU seconds so far, user + system; the start of its command line)."""
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:60]
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        out[pid] = ((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), cmd)
    return out


def log(what: str) -> None:
    with LOG.open("a") as f:
        f.write(f"{time.time() - T0:7.2f} {os.getpid()} {what}\n")


class Sleeper:
    def __call__(self, batch):
        time.sleep(1.0)
        return batch


def idle(calls: int) -> None:
    import numpy as np
    import ray
    import ray.data

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    rows = ray.data.from_items([{"x": np.int64(i)} for i in range(60)], override_num_blocks=60)
    dataset = rows.map_batches(
        Sleeper,
        batch_size=1,
        num_cpus=1,
        compute=ray.data.ActorPoolStrategy(size=2, max_tasks_in_flight_per_actor=calls),
    )
    rows_out = iter(dataset.iter_rows())
    for _ in range(6):  # the actors are up
        next(rows_out)
    before, t0 = cpu_by_process(), time.time()
    n = sum(1 for _ in rows_out)
    after, seconds = cpu_by_process(), time.time() - t0
    used = sorted(((c - before.get(pid, (0.0, ""))[0], cmd) for pid, (c, cmd) in after.items()), reverse=True)
    for c, cmd in used[:12]:
        print(f"{c:6.2f} s  {cmd}")
    total = sum(c for c, _ in used if c > 0)
    print(
        f"{n} rows in {seconds:.1f} s, {calls} call(s) per actor: CPU {total:.2f} s = {total / seconds:.1%} of a core"
    )
    ray.shutdown()


def startup(every: int, calls: int) -> None:
    import numpy as np

    LOG.write_text("")
    log("driver start")
    import ray
    import ray.data

    log("driver imported ray, ray.data")
    from photoguard.batch import ProtectOperation, plan
    from photoguard.distributed.actor import OperationActor, job_to_json
    from photoguard.distributed.cluster import connect

    op = ProtectOperation(strength="fast")
    out = Path("/tmp/photoguard_ray_overhead_out")
    jobs = plan(sorted(p for p in SHOOT.rglob("*") if p.is_file())[::every], op, out=out)

    class Logged:
        def __init__(self) -> None:
            log("actor constructor start")
            self.inner = OperationActor(op, os.getcwd(), threads=1)
            log("actor constructor end")

        def __call__(self, batch):
            log("call start")
            result = self.inner(batch)
            log("call end")
            return result

    with connect(None, num_cpus=2):
        log("driver ray.init done")
        rows = [{"index": np.int64(i), "job": job_to_json(job)} for i, job in enumerate(jobs)]
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
            Logged,
            batch_size=1,
            batch_format="numpy",
            num_cpus=1,
            compute=ray.data.ActorPoolStrategy(size=2, max_tasks_in_flight_per_actor=calls),
        )
        for n, _ in enumerate(dataset.iter_rows(), 1):
            if n == 1:
                log("driver first row")
        log(f"driver all {n} rows")
    log("driver ray.shutdown done")
    lines = sorted(LOG.read_text().splitlines(), key=lambda line: float(line.split()[0]))
    ends: dict[str, float] = {}
    gaps: dict[str, float] = {}
    for line in lines:
        t, pid, what = line.split(None, 2)
        if what == "call start" and pid in ends:
            gaps[pid] = gaps.get(pid, 0.0) + float(t) - ends[pid]
        elif what == "call end":
            ends[pid] = float(t)
        if not what.startswith("call"):
            print(line)
    for pid, gap in gaps.items():
        print(f"actor {pid}: last call ended at {ends[pid]:.2f} s, idle between its calls {gap:.2f} s")


def protect_repeatedly(photo: str, times: int = 8) -> tuple[float, float, float]:
    """(wall, process CPU, this thread's CPU) seconds per protect of ``photo`` at ``fast``, one torch thread."""
    import tempfile

    import torch

    import photoguard

    torch.set_num_threads(1)
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(times + 1):  # the first loads the models
            wall, cpu, thread = time.perf_counter(), time.process_time(), time.thread_time()
            photoguard.protect(photo, output=Path(folder) / f"{i}.jpg", strength="fast")
            runs.append((time.perf_counter() - wall, time.process_time() - cpu, time.thread_time() - thread))
    return tuple(sum(run[k] for run in runs[1:]) / times for k in range(3))  # type: ignore[return-value]


class Repeater:
    def run(self, photo: str) -> tuple[float, float, float]:
        return protect_repeatedly(photo)


def actors(photo: str) -> None:
    import multiprocessing

    import ray

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        for result in pool.map(protect_repeatedly, [photo, photo]):
            print("plain process: {:.3f} s per photo, process CPU {:.3f} s, thread CPU {:.3f} s".format(*result))
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    pool = [ray.remote(num_cpus=1)(Repeater).remote() for _ in range(2)]
    for result in ray.get([actor.run.remote(photo) for actor in pool]):
        print("Ray actor: {:.3f} s per photo, process CPU {:.3f} s, thread CPU {:.3f} s".format(*result))
    ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["idle", "startup", "actors"])
    parser.add_argument("--every", type=int, default=5, help="startup: every k-th photo of the shoot")
    parser.add_argument("--photo", default=str(SHOOT / "day4" / "IMG_0088.jpg"), help="actors: the photo")
    parser.add_argument("--calls", type=int, default=2, help="calls each actor holds (max_tasks_in_flight_per_actor)")
    args = parser.parse_args()
    if args.what == "idle":
        idle(args.calls)
    elif args.what == "startup":
        startup(args.every, args.calls)
    else:
        actors(args.photo)


if __name__ == "__main__":
    main()
