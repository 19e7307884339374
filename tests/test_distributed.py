"""The Ray engine (``photoguard.distributed``, ``protect --engine ray``) on real Ray clusters started
here: one in this process (``ray.init``), one of two nodes (``ray start --head`` and a worker node)
driven through the CLI, with a Ctrl-C and a ``--skip-existing`` resume.

The photos are real (the public-domain sample and, when ``../shared/faces`` is there, a real
portrait), small, with two files named ``IMG_0001.jpg`` in two folders, a corrupt JPEG, a
face-free PNG and a sidecar. Every output must equal the local engine's byte for byte; the
local reference runs with one torch thread, as each Ray CPU actor does (the cloak's float sums,
hence its bytes, depend on the thread count).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import torch
from _faces import FACES
from conftest import SAMPLE
from PIL import Image

from photoguard.batch import DONE, FAILED, NO_FACE, SKIPPED, ProtectOperation, plan, run
from photoguard.distributed import run_ray

BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.2"  # Ray turns 127.0.0.1 into the machine's routable address; the rest of 127/8 it keeps


def _tree(root: Path) -> Path:
    """The shoot: two faces, one face-free photo, a corrupt file, a sidecar, a name used twice."""
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    sample = Image.open(SAMPLE).convert("RGB").resize((256, 256), Image.Resampling.LANCZOS)
    sample.save(root / "a" / "IMG_0001.jpg", quality=95)
    portrait = FACES / "portraits" / "obama-240p.jpg"
    second = Image.open(portrait) if portrait.is_file() else sample.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    second.save(root / "b" / "IMG_0001.jpg", quality=92)  # the same name in another folder
    Image.linear_gradient("L").convert("RGB").resize((96, 64)).save(root / "b" / "IMG_0002.png")
    (root / "b" / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"not a photo" * 20)
    (root / "b" / "notes.txt").write_text("a sidecar")
    return root


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _comparable(record, out: Path) -> dict:
    """A record without what differs from run to run (times, the output folder)."""
    row = {k: v for k, v in vars(record).items() if k != "seconds"}
    row["output"] = record.output and Path(record.output).relative_to(out).as_posix()
    row["detail"] = {k: v for k, v in (record.detail or {}).items() if k != "timings"}
    return row


@pytest.fixture(scope="module")
def shoot(tmp_path_factory, weights) -> Path:
    return _tree(tmp_path_factory.mktemp("ray") / "shoot")


@pytest.fixture(scope="module")
def local(shoot: Path, tmp_path_factory):
    """The local engine's outputs and records for the shoot, with one torch thread."""
    op = ProtectOperation(strength="fast", device="cpu")
    out = tmp_path_factory.mktemp("local") / "out"
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        outcome = run(plan([shoot], op, out=out), op)
    finally:
        torch.set_num_threads(threads)
    return _outputs(out), [_comparable(r, out) for r in outcome.records]


@pytest.mark.weights
@pytest.mark.slow
def test_ray_in_process_equals_the_local_engine(shoot, local, tmp_path, ray_env):
    import ray

    expected, local_records = local
    op = ProtectOperation(strength="fast", device="cpu")
    out = tmp_path / "out"
    jobs = plan([shoot], op, out=out)
    ray.init(address="local", num_cpus=2, include_dashboard=False, _temp_dir=tempfile.mkdtemp(prefix="pgray-"))
    try:
        seen = []
        outcome = run_ray(jobs, op, on_record=seen.append)
        assert ray.is_initialized()  # a caller's connection is left open
    finally:
        ray.shutdown()
    assert _outputs(out) == expected  # byte for byte, IMG_0001.jpg twice side by side
    assert sorted(expected) == ["a/IMG_0001.jpg", "b/IMG_0001.jpg", "b/IMG_0002.png"]
    assert [_comparable(r, out) for r in outcome.records] == local_records
    assert len(seen) == len(jobs) and not outcome.interrupted
    by_name = {Path(r.path).name + Path(r.path).parent.name: r for r in outcome.records}
    assert by_name["IMG_0001.jpga"].status == DONE and by_name["IMG_0002.pngb"].status == NO_FACE
    assert by_name["corrupt.jpgb"].status == FAILED and "corrupt.jpg: cannot decode" in by_name["corrupt.jpgb"].error
    assert by_name["notes.txtb"].status == SKIPPED


def _pixels(outputs: dict[str, bytes]) -> dict[str, np.ndarray]:
    return {
        name: np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16) for name, data in outputs.items()
    }


@pytest.mark.weights
@pytest.mark.slow
def test_photos_batched_as_on_a_gpu_match_one_at_a_time(shoot, local, tmp_path, ray_env):
    """GPU actors (and the local engine on a GPU) cloak several photos' faces in one pass
    (``protect_many``); here the same code on the CPU: batches of 4 locally, of 2 on Ray actors."""
    import ray

    expected, local_records = local
    op = ProtectOperation(strength="fast", device="cpu")
    here = run(plan([shoot], op, out=tmp_path / "here"), op, batch=4)
    ray.init(address="local", num_cpus=2, include_dashboard=False, _temp_dir=tempfile.mkdtemp(prefix="pgray-"))
    try:
        on_ray = run_ray(plan([shoot], op, out=tmp_path / "ray"), op, batch=2)
    finally:
        ray.shutdown()
    reference = _pixels(expected)
    for out, outcome in ((tmp_path / "here", here), (tmp_path / "ray", on_ray)):
        outputs = _outputs(out)
        assert sorted(outputs) == sorted(expected)
        assert outputs["b/IMG_0002.png"] == expected["b/IMG_0002.png"]  # no face: stripped, losslessly
        for name, pixels in _pixels(outputs).items():
            diff = np.abs(pixels - reference[name])
            # batched convolutions round differently; the optimisation amplifies it (tests/test_many.py)
            assert diff.max() <= 24 and (diff > 2).mean() < 0.02, name
        # not the verdict: on these small, marginal faces the drift can move a similarity across its threshold
        keys = ("path", "output", "status", "faces", "faces_protected", "error")
        assert [{k: _comparable(r, out)[k] for k in keys} for r in outcome.records] == [
            {k: r[k] for k in keys} for r in local_records
        ]


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """End a ``ray start --block`` and the Ray processes it started (its own process group)."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(grace)
            if sig == signal.SIGKILL:
                return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def two_nodes(env: dict[str, str], logs: Path) -> Iterator[str]:
    """A head node and a worker node of one CPU each, on loopback; yields the head's address."""
    port = _free_port(LOOPBACK)
    address = f"{LOOPBACK}:{port}"
    temp = tempfile.mkdtemp(prefix="pgray-")  # short: Ray's socket paths must fit 107 bytes
    common = ["--num-cpus=1", f"--node-ip-address={LOOPBACK}", "--block"]
    head_cmd = [str(BIN / "ray"), "start", "--head", f"--port={port}", "--include-dashboard=false"]
    head_cmd += ["--disable-usage-stats", f"--temp-dir={temp}", *common]
    procs = []
    try:
        with open(logs / "head.log", "wb") as log:
            procs.append(subprocess.Popen(head_cmd, env=env, stdout=log, stderr=log, start_new_session=True))
        _wait_for(lambda: _accepts(LOOPBACK, port), 60, "the head node")
        worker_cmd = [str(BIN / "ray"), "start", f"--address={address}", *common]
        with open(logs / "worker.log", "wb") as log:
            procs.append(subprocess.Popen(worker_cmd, env=env, stdout=log, stderr=log, start_new_session=True))
        status = [str(BIN / "ray"), "status", f"--address={address}"]
        _wait_for(lambda: _alive_nodes(status, env) == 2, 60, "the worker node")
        yield address
    finally:
        for proc in reversed(procs):
            _stop(proc)


def _accepts(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def _alive_nodes(status: list[str], env: dict[str, str]) -> int:
    text = subprocess.run(status, env=env, capture_output=True, text=True, timeout=30).stdout
    active = text.split("Active:")[-1].split("Pending:")[0] if "Active:" in text else ""
    return active.count("node_")


def _wait_for(ready, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not start in {seconds:.0f} s")
        time.sleep(0.5)


#: Copies of the sample added for the Ctrl-C test: more photos than the two actors hold at once
#: (2 x CALLS_PER_ACTOR), so some are still queued when the first output lands and its SIGINT
#: arrives, however fast the engine is.
QUEUED_COPIES = 8


@pytest.mark.weights
@pytest.mark.slow
def test_cli_on_two_nodes_interrupted_and_resumed(shoot, local, tmp_path, ray_env):
    expected, _ = local
    shoot = Path(shutil.copytree(shoot, tmp_path / "shoot"))
    (shoot / "c").mkdir()
    copies = {f"c/IMG_{i:04d}.jpg" for i in range(1, QUEUED_COPIES + 1)}
    for name in copies:  # the same bytes as a/IMG_0001.jpg, hence the same output (one seed)
        shutil.copyfile(shoot / "a" / "IMG_0001.jpg", shoot / name)
    expected = {**expected, **dict.fromkeys(copies, expected["a/IMG_0001.jpg"])}
    out = tmp_path / "out"
    cli = [str(BIN / "photoguard"), "protect", str(shoot), "-o", str(out), "-s", "fast", "-q", "--engine", "ray"]
    reports = ["--report", str(tmp_path / "r.json"), "--report", str(tmp_path / "r.parquet")]
    with two_nodes(ray_env, tmp_path) as address:
        cli += ["--address", address, *reports]
        first = subprocess.Popen(cli, env=ray_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            _wait_for(lambda: any(p.is_file() for p in out.rglob("*")) or first.poll() is not None, 120, "an output")
            first.send_signal(signal.SIGINT)  # Ctrl-C once the first photo is written
            _, err = first.communicate(timeout=60)
        finally:
            first.kill()
        assert first.returncode == 130, err
        assert "Run the same command with --skip-existing to carry on" in err
        kept = _outputs(out)
        assert kept and all(expected[name] == data for name, data in kept.items())  # no partial file
        done = json.loads((tmp_path / "r.json").read_text())
        assert {row["status"] for row in done} <= {"done", "no-face", "failed", "skipped", "interrupted"}
        assert "interrupted" in {row["status"] for row in done}  # the Ctrl-C landed while photos were queued

        again = subprocess.run(cli + ["--skip-existing"], env=ray_env, capture_output=True, text=True, timeout=180)
    assert again.returncode == 1, again.stderr  # the corrupt file, named on its own line
    assert "corrupt.jpg: cannot decode image" in again.stderr
    assert _outputs(out) == expected
    rows = json.loads((tmp_path / "r.json").read_text())
    statuses = {Path(row["path"]).relative_to(shoot).as_posix(): row["status"] for row in rows}
    assert statuses == {
        "a/IMG_0001.jpg": "done",
        "b/IMG_0001.jpg": "done",
        "b/IMG_0002.png": "no-face",
        "b/corrupt.jpg": "failed",
        "b/notes.txt": "skipped",
        **dict.fromkeys(copies, "done"),
    }  # the files done before Ctrl-C keep their first run's rows
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "r.parquet").to_pylist()
    assert [(row["path"], row["status"]) for row in table] == [(row["path"], row["status"]) for row in rows]
    assert json.loads(table[0]["verification"])[0]["encoder"] == rows[0]["verification"][0]["encoder"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--address", "127.0.0.2:1"], "--address needs --engine ray"),
        (["--num-cpus", "2"], "--num-cpus needs --engine ray"),
        (["--engine", "ray", "--jobs", "2"], "with --engine ray give --num-cpus N"),
        (["--engine", "ray", "--device", "cuda"], "--num-gpus G runs the cloak on G GPUs"),
    ],
)
def test_engine_options_are_checked_before_any_work(tmp_path, capsys, args, message):
    from photoguard.cli import main

    Image.new("RGB", (32, 32)).save(tmp_path / "a.png")
    assert main(["protect", str(tmp_path / "a.png"), "-o", str(tmp_path / "out"), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_actor_plan_checks_the_cluster():
    from photoguard.batch import StripOperation
    from photoguard.distributed import Cluster, actor_plan
    from photoguard.errors import UsageError

    cluster = Cluster(cpus=8, gpus=1, started_here=False)
    op = ProtectOperation(strength="fast")
    assert actor_plan(cluster, op, num_cpus=None, num_gpus=None) == (8, False)
    assert actor_plan(cluster, op, num_cpus=3, num_gpus=None) == (3, False)
    assert actor_plan(cluster, op, num_cpus=None, num_gpus=1) == (1, True)
    with pytest.raises(UsageError, match="the Ray cluster has 1 GPU"):
        actor_plan(cluster, op, num_cpus=None, num_gpus=2)
    with pytest.raises(UsageError, match="strip does not use a GPU"):
        actor_plan(cluster, StripOperation(), num_cpus=None, num_gpus=1)


class _Actors:
    """A stand-in for the Ray pipeline: ``actors`` actors returning one row each in turn, every
    10 ms, a photo while no stop was asked for and a call not started after; ``stuck`` actors
    never answer again once stopped (a photo that runs on)."""

    def __init__(self, actors: str, stuck: str = "") -> None:
        self.actors, self.stuck = actors, stuck
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True

    def iter_rows(self) -> Iterator[dict]:
        for i in range(1000):
            time.sleep(0.01)
            actor = self.actors[i % len(self.actors)]
            if not (self.stopped and actor in self.stuck):
                yield {"index": i, "actor": actor, "started": not self.stopped}


def _interrupted_after_first(pipeline: _Actors, in_transit=lambda: False, grace: float = 5.0) -> list[dict]:
    from photoguard.distributed.engine import Interrupted, _rows

    rows = _rows(pipeline, in_transit, stop=pipeline.stop, actors=len(pipeline.actors), grace=grace)
    seen = [next(rows)]
    with pytest.raises(Interrupted):
        seen.append(rows.throw(KeyboardInterrupt))  # Ctrl-C while the caller waits for a row
        seen.extend(rows)
    return seen


def test_ctrl_c_ends_once_every_actor_has_stopped():
    seen = _interrupted_after_first(_Actors("abc"))
    not_started = [row for row in seen if not row["started"]]
    assert sorted(row["actor"] for row in not_started) == ["a", "b", "c"]  # one each, then no more
    assert seen[-3:] == not_started and all(row["started"] for row in seen[:-3])  # photos before kept


def test_ctrl_c_waits_for_a_photo_written_without_its_row_and_not_past_the_grace():
    asked = itertools.count()
    seen = _interrupted_after_first(_Actors("ab"), in_transit=lambda: next(asked) < 3)
    assert sum(not row["started"] for row in seen) == 2 + 3  # read on while a photo was in transit
    start = time.monotonic()
    seen = _interrupted_after_first(_Actors("ab", stuck="b"), grace=0.5)
    assert 0.5 <= time.monotonic() - start < 3  # b never answers: the grace ends the wait
    assert {row["actor"] for row in seen if not row["started"]} == {"a"}


# --- the engine's own cluster, and one it cannot reach --------------------------------------------

_PRIVATE_CLUSTER = """
import json, os, sys
from pathlib import Path
from photoguard.distributed.cluster import connect


def listening(pids):
    # (pid, local address) of every listening TCP socket the processes in pids hold (/proc, Linux)
    inodes = {}
    for name in ("tcp", "tcp6"):
        for line in Path("/proc/net", name).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                inodes[fields[9]] = fields[1].rsplit(":", 1)[0]
    found = []
    for pid in pids:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        found += [(pid, inodes[link[8:-1]]) for link in links if link.startswith("socket:[") and link[8:-1] in inodes]
    return found


def descendants(root):
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {root}, True
    while grew:
        grown = tree | {pid for pid, ppid in parent.items() if ppid in tree}
        grew, tree = grown != tree, grown
    return tree


with connect(num_cpus=1) as cluster:
    import ray

    assert cluster.started_here
    ray.get(ray.remote(lambda: 1).remote())  # a worker process too
    print(json.dumps(listening(descendants(os.getpid()))))
"""

#: 127.0.0.1 as /proc/net/tcp and tcp6 write it (IPv4, and IPv4-mapped IPv6).
_LOOPBACK_HEX = {"0100007F", "0000000000000000FFFF00000100007F"}


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads listening sockets from Linux's /proc")
@pytest.mark.slow
def test_the_engines_own_cluster_listens_on_loopback_only_and_leaves_nothing(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    temp = Path(tempfile.mkdtemp(prefix="pg-", dir="/tmp"))  # short: Ray's socket paths fit 107 bytes
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_AUTH")}
    env |= {"HOME": str(home), "TMPDIR": str(temp), "RAY_USAGE_STATS_ENABLED": "0", "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PRIVATE_CLUSTER], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        left = list(temp.iterdir())
    finally:
        shutil.rmtree(temp)
    sockets = json.loads(done.stdout.strip().splitlines()[-1])
    processes = {pid for pid, _ in sockets}
    assert len(processes) >= 3, sockets  # the driver, the GCS, the raylet, the worker...
    assert {address for _, address in sockets} <= _LOOPBACK_HEX, sockets
    assert left == []  # Ray's session folder (logs, sockets) is gone
    assert not (home / ".ray").exists()  # no token written to ~/.ray/auth_token


def test_an_unreachable_cluster_is_one_clear_error_in_bounded_time(tmp_path):
    Image.new("RGB", (32, 32)).save(tmp_path / "a.png")
    cli = [str(BIN / "photoguard"), "protect", str(tmp_path / "a.png"), "-o", str(tmp_path / "out"), "--engine", "ray"]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    done = subprocess.run([*cli, "--address", "127.0.0.1:1"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "photoguard: error: 127.0.0.1:1: cannot reach a Ray cluster there (Connection refused)"
    ]
    # A port that answers but is no Ray cluster: given up after --connect-timeout (Ray alone tries
    # 20 times, up to ~41 s each).
    with socket.socket() as server:
        server.bind((LOOPBACK, 0))
        server.listen(64)
        address = f"{LOOPBACK}:{server.getsockname()[1]}"
        start = time.monotonic()
        done = subprocess.run(
            [*cli, "--address", address, "--connect-timeout", "6"], env=env, capture_output=True, text=True, timeout=300
        )
        took = time.monotonic() - start
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == f"photoguard: error: {address}: no Ray cluster answered within 6 s"
    assert took < 60, took  # the interpreter and Ray's import included
    assert not (tmp_path / "out").exists()
