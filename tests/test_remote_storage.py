"""Batches that read and write URIs (``photoguard.batch.storage``): an S3-compatible server on
loopback (moto's, a real HTTP server started here as a subprocess) and ``file://``.

The photos are the Ray engine's test shoot (two faces, one named ``IMG_0001.jpg`` in two folders, a
face-free PNG, a corrupt JPEG, a sidecar). Every output read back from the bucket must equal, byte
for byte, what the same operation writes to a local folder; records name files by their URIs.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _metadata_fixtures import dirty_jpeg, dirty_png
from test_distributed import _outputs, _tree

from photoguard.batch import DONE, FAILED, NO_FACE, SKIPPED, ProtectOperation, StripOperation, plan, run, write_report
from photoguard.batch.storage import RemotePath, location
from photoguard.errors import UsageError

pafs = pytest.importorskip("pyarrow.fs")

MOTO = Path(sys.executable).parent / "moto_server"
HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"moto_server exited with {proc.returncode}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"moto_server did not listen on {HOST}:{port} in {seconds:.0f} s")


@pytest.fixture(scope="module")
def s3(tmp_path_factory) -> Iterator[pafs.S3FileSystem]:
    """An S3 server on loopback and this process pointed at it the standard way (``AWS_*``
    variables, which pyarrow reads, as do Ray's workers that inherit them); yields a client."""
    if not MOTO.is_file():
        pytest.skip("moto_server is not installed (pip install 'moto[server]', part of the dev extra)")
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(MOTO), "-H", HOST, "-p", str(port)], stdout=out, stderr=out)
    env = {
        "AWS_ENDPOINT_URL": f"http://{HOST}:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    try:
        _wait_for_port(port, proc)
        with pytest.MonkeyPatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            client = pafs.S3FileSystem(endpoint_override=f"{HOST}:{port}", scheme="http", allow_bucket_creation=True)
            client.create_dir("photos")
            yield client
    finally:
        proc.terminate()
        proc.wait(10)


def _upload(client, local: Path, key: str) -> None:
    for path in sorted(local.rglob("*")):
        if path.is_file():
            with client.open_output_stream(f"{key}/{path.relative_to(local).as_posix()}") as stream:
                stream.write(path.read_bytes())


def _objects(client, key: str) -> dict[str, bytes]:
    """Every object below ``key``, by its key relative to it."""
    found = client.get_file_info(pafs.FileSelector(key, recursive=True, allow_not_found=True))
    out = {}
    for info in sorted(found, key=lambda i: i.path):
        if info.type == pafs.FileType.File:
            with client.open_input_stream(info.path) as stream:
                out[info.path[len(key) + 1 :]] = stream.read()
    return out


def _relative(record, src: str, out: str) -> dict:
    """A record with its input and output roots taken out and without what differs from run to run."""
    row = {k: v for k, v in vars(record).items() if k != "seconds"}
    row["path"] = record.path.removeprefix(src)
    row["output"] = record.output and record.output.removeprefix(out)
    row["error"] = record.error and record.error.removeprefix(src)
    row["detail"] = {k: v for k, v in (record.detail or {}).items() if k not in ("timings", "source", "destination")}
    return row


def test_uris_name_remote_paths_and_round_trip_through_a_ray_row():
    from photoguard.batch import Job
    from photoguard.distributed.actor import job_from_json, job_to_json

    photo = location("s3://shoot/day 1/IMG#1?.JPG")  # a key keeps ?, # and spaces
    assert photo == RemotePath("s3://shoot", "day 1/IMG#1?.JPG")
    assert (photo.name, photo.suffix, str(photo.parent)) == ("IMG#1?.JPG", ".JPG", "s3://shoot/day 1")
    assert location("file:///tmp/x/") / Path("a/b.png") == Path("/tmp/x/a/b.png")  # this machine: a local path
    assert str(location("hdfs://node/x") / Path("a/b.png")) == "hdfs://node/x/a/b.png"
    assert location("shoot//day1") == Path("shoot/day1")  # a local path is never a URI
    job = Job(photo, location("s3://safe/day 1/IMG#1?.JPG"), (location("s3://safe/day 1/IMG#1?.heic"),))
    assert job_from_json(job_to_json(job)) == job


def test_strip_from_s3_to_s3_with_a_report_and_a_resume(s3, tmp_path, capsys):
    from photoguard.cli import main

    shoot = tmp_path / "shoot"
    (shoot / "day1").mkdir(parents=True)
    dirty_jpeg(shoot / "day1" / "IMG_0001.jpg")
    dirty_png(shoot / "IMG_0002.png")
    (shoot / "day1" / "notes.txt").write_text("a sidecar")
    (shoot / ".hidden.jpg").write_bytes((shoot / "day1" / "IMG_0001.jpg").read_bytes())
    (shoot / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"not a photo" * 20)
    assert main(["strip", str(shoot), "-o", str(tmp_path / "local"), "-q"]) == 1  # the reference
    _upload(s3, shoot, "photos/meta")

    # the output inside the input prefix is never walked as an input
    cli = ["strip", "s3://photos/meta", "-o", "s3://photos/meta/clean", "-q"]
    cli += ["--report", "s3://photos/meta/clean/report.json"]
    assert main(cli) == 1  # the broken file
    assert "s3://photos/meta/broken.jpg: " in capsys.readouterr().err
    written = _objects(s3, "photos/meta/clean")
    rows = json.loads(written.pop("report.json"))
    assert written == _outputs(tmp_path / "local")
    status = {row["path"]: (row["status"], row["output"]) for row in rows}
    assert status == {
        "s3://photos/meta/IMG_0002.png": ("done", "s3://photos/meta/clean/IMG_0002.png"),
        "s3://photos/meta/broken.jpg": ("failed", None),
        "s3://photos/meta/day1/IMG_0001.jpg": ("done", "s3://photos/meta/clean/day1/IMG_0001.jpg"),
        "s3://photos/meta/day1/notes.txt": ("skipped", None),
    }
    jpeg = next(row for row in rows if row["path"].endswith("IMG_0001.jpg"))
    assert jpeg["detail"]["source"] == jpeg["path"] and "XMP" in jpeg["message"]

    assert main([*cli, "--skip-existing"]) == 1
    again = json.loads(_objects(s3, "photos/meta/clean")["report.json"])
    assert {row["path"]: row["status"] for row in again} == {p: s for p, (s, _) in status.items()}  # rows kept
    assert [row["message"] for row in again] == [row["message"] for row in rows]

    assert main(["protect", "s3://photos/meta", "-o", "s3://photos/safe", "-n"]) == 0  # the plan only
    plan_lines = capsys.readouterr().out
    assert "would protect s3://photos/meta/day1/IMG_0001.jpg -> s3://photos/safe/day1/IMG_0001.jpg" in plan_lines
    assert "would skip  s3://photos/meta/day1/notes.txt (not a supported image)" in plan_lines


def test_file_uris_are_local_paths_with_every_local_rule(tmp_path):
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    dirty_jpeg(shoot / "IMG_0001.jpg")
    op = StripOperation()
    run(plan([shoot], op, out=tmp_path / "local"), op)
    jobs = plan([f"file://{shoot}"], op, out=f"file://{tmp_path}/out")
    assert jobs[0].src == shoot / "IMG_0001.jpg" and jobs[0].dst == tmp_path / "out" / "IMG_0001.jpg"
    outcome = run(jobs, op)
    assert [r.status for r in outcome.records] == [DONE]
    assert _outputs(tmp_path / "out") == _outputs(tmp_path / "local")
    with pytest.raises(UsageError, match="in-place"):  # never over the inputs, as for a local folder
        plan([shoot], op, out=f"file://{shoot}")
    assert plan([f"file://{shoot}"], op, in_place=True)[0].src == shoot / "IMG_0001.jpg"


@pytest.fixture(scope="module")
def shoot(tmp_path_factory, weights) -> Path:
    return _tree(tmp_path_factory.mktemp("remote") / "shoot")


@pytest.mark.weights
@pytest.mark.slow
def test_ray_reads_and_writes_s3_as_the_local_engine_writes_a_folder(s3, shoot, tmp_path, ray_env):
    import ray
    import torch

    from photoguard.distributed import run_ray

    op = ProtectOperation(strength="fast", device="cpu")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as each Ray CPU actor: the cloak's bytes depend on the thread count
    try:
        local = run(plan([shoot], op, out=tmp_path / "local"), op)
    finally:
        torch.set_num_threads(threads)
    _upload(s3, shoot, "photos/shoot")
    jobs = plan(["s3://photos/shoot"], op, out="s3://photos/safe")
    temp = tempfile.mkdtemp(prefix="pgray-")  # short: Ray's socket paths must fit 107 bytes
    ray.init(address="local", num_cpus=2, include_dashboard=False, _temp_dir=temp)
    try:
        outcome = run_ray(jobs, op)
        resumed = run_ray(plan(["s3://photos/shoot"], op, out="s3://photos/safe", skip_existing=True), op)
    finally:
        ray.shutdown()
        shutil.rmtree(temp, ignore_errors=True)

    assert _objects(s3, "photos/safe") == _outputs(tmp_path / "local")  # byte for byte, both IMG_0001.jpg
    assert sorted(_outputs(tmp_path / "local")) == ["a/IMG_0001.jpg", "b/IMG_0001.jpg", "b/IMG_0002.png"]
    remote = [_relative(r, "s3://photos/shoot", "s3://photos/safe") for r in outcome.records]
    assert remote == [_relative(r, str(shoot), str(tmp_path / "local")) for r in local.records]
    by_path = {r.path: r for r in outcome.records}
    assert by_path["s3://photos/shoot/a/IMG_0001.jpg"].status == DONE
    assert by_path["s3://photos/shoot/a/IMG_0001.jpg"].output == "s3://photos/safe/a/IMG_0001.jpg"
    assert by_path["s3://photos/shoot/b/IMG_0002.png"].status == NO_FACE
    corrupt = by_path["s3://photos/shoot/b/corrupt.jpg"]
    assert corrupt.status == FAILED and corrupt.error.startswith("s3://photos/shoot/b/corrupt.jpg: cannot decode")
    assert by_path["s3://photos/shoot/b/notes.txt"].status == SKIPPED

    assert {r.path: r.status for r in resumed.records} == {
        "s3://photos/shoot/a/IMG_0001.jpg": SKIPPED,
        "s3://photos/shoot/b/IMG_0001.jpg": SKIPPED,
        "s3://photos/shoot/b/IMG_0002.png": SKIPPED,
        "s3://photos/shoot/b/corrupt.jpg": FAILED,  # no output: tried again, failed again
        "s3://photos/shoot/b/notes.txt": SKIPPED,
    }
    assert write_report("s3://photos/safe/report.parquet", outcome.records) == location(
        "s3://photos/safe/report.parquet"
    )
    import pyarrow.parquet as pq

    with s3.open_input_file("photos/safe/report.parquet") as stream:
        table = pq.read_table(stream).to_pylist()
    assert [(row["path"], row["output"]) for row in table] == [(r.path, r.output) for r in outcome.records]
