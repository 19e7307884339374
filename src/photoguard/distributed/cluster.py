"""Joining a Ray cluster, or starting a private one on this machine, with nothing sent anywhere:
no usage statistics, no dashboard, worker logs kept out of the command's output.

A private cluster (no ``address``) is this machine's alone: every Ray process of it listens on
127.0.0.1 only (its node address is the loopback one, which Ray would otherwise replace by the
machine's network address, and then listen on every interface), it authenticates with a token
kept in this process's environment (Ray would otherwise write one to ``~/.ray/auth_token``), and
its session folder (logs, sockets: ~300 KB a run) is a private temp folder deleted when it stops.

Joining a cluster (``address``) is bounded: nothing listening there is one clear error at once,
and a port that answers but is not a Ray cluster within ``timeout`` seconds (:data:`CONNECT_TIMEOUT_S`).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from photoguard.errors import UsageError

#: Said when the ``ray`` extra is missing.
INSTALL_HINT = "the Ray engine needs Ray: pip install 'photoguard[ray]'"

#: Seconds to wait for the cluster given by ``--address`` before giving up (``--connect-timeout``).
CONNECT_TIMEOUT_S = 30.0

#: ``host:port`` or ``ray://host:port`` (an IPv6 host in brackets); ``auto`` and other forms are Ray's to read.
_HOST_PORT = re.compile(r"^(?:ray://)?(?P<host>\[[^\]]+\]|[^:/\[\]]+):(?P<port>\d+)$")


def import_ray():  # -> the ray module (untyped: Ray ships no stubs for mypy's strict modules)
    """``ray`` with usage statistics off (set before the import, as Ray reads it then).

    Raises:
        UsageError: Ray is not installed.
    """
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
        import ray.data  # the engine needs Ray Data on top of core Ray
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return ray


@dataclass(frozen=True)
class Cluster:
    """What the engine needs to know about the cluster it joined.

    Attributes:
        cpus: CPUs the cluster has in all (every node).
        gpus: GPUs the cluster has in all.
        started_here: True when this process started a private local cluster (it ends with it).
    """

    cpus: int
    gpus: int
    started_here: bool


@contextmanager
def connect(
    address: str | None = None,
    *,
    num_cpus: int | None = None,
    num_gpus: int | None = None,
    timeout: float = CONNECT_TIMEOUT_S,
) -> Iterator[Cluster]:
    """Join the Ray cluster at ``address``, or start a private one on this machine.

    Args:
        address: a running cluster (``host:port`` of its head, ``ray://host:10001`` through Ray
            Client, or ``auto`` for the one ``ray start`` launched here); None starts a new local
            cluster for this run only (never joins another one by accident), reachable from this
            machine only (see the module's notes).
        num_cpus: CPUs of the private local cluster (default: every core); ignored with ``address``.
        num_gpus: GPUs of the private local cluster (default: what Ray detects).
        timeout: seconds to wait for the cluster at ``address``.

    A process that is already connected (``ray.init()`` called by the caller) keeps its
    connection, and it is left open at the end.

    Raises:
        UsageError: the cluster at ``address`` cannot be reached, or does not answer as a Ray
            cluster within ``timeout`` seconds.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield _describe(ray, started_here=False)
        return
    _quiet_ray_data()
    quiet = {"log_to_driver": False, "logging_level": logging.ERROR}  # not the notes on token authentication
    if address is None:
        with _private_session(ray) as temp:
            ray.init(
                address="local",
                num_cpus=num_cpus,
                num_gpus=num_gpus,
                include_dashboard=False,
                _node_ip_address=LOOPBACK,
                _temp_dir=temp,
                **quiet,
            )
            try:
                yield _describe(ray, started_here=True)
            finally:
                ray.shutdown()
        return
    _check_reachable(address, timeout)
    with _bounded_connect(ray, timeout):
        try:
            ray.init(address=address, **quiet)
        except ConnectionError:
            raise UsageError(f"no Ray cluster answered within {timeout:.0f} s", path=address) from None
    try:
        yield _describe(ray, started_here=False)
    finally:
        ray.shutdown()


#: The private cluster's node address: its processes listen on this interface only.
LOOPBACK = "127.0.0.1"
#: Longest temp folder for a private cluster: Ray's sockets go below it, in
#: ``session_2026-12-07_23-31-59_887866_17673/sockets/plasma_store`` (64 bytes), and a socket's path
#: must fit 107 bytes.
_LONGEST_TEMP = 107 - 64


@contextmanager
def _private_session(ray) -> Iterator[str]:
    """For a private cluster: a temp folder for its session (removed afterwards), a token in this
    process's environment (kept for the next cluster of this process: Ray caches the first one
    it read), and Ray told to keep the loopback node address as it is."""
    temp = tempfile.mkdtemp(prefix="photoguard-ray-")
    if len(temp) > _LONGEST_TEMP and os.path.isdir("/tmp"):  # a deep $TMPDIR (macOS's /var/folders/...)
        os.rmdir(temp)
        temp = tempfile.mkdtemp(prefix="photoguard-ray-", dir="/tmp")
    os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))
    services = ray._private.services
    resolve = getattr(services, "resolve_ip_for_localhost", None)
    if resolve is not None:  # Ray turns 127.0.0.1 into the machine's address, then listens everywhere
        services.resolve_ip_for_localhost = lambda host: host
    try:
        yield temp
    finally:
        if resolve is not None:
            services.resolve_ip_for_localhost = resolve
        shutil.rmtree(temp, ignore_errors=True)


def _check_reachable(address: str, timeout: float) -> None:
    """Raise :class:`UsageError` at once when nothing accepts a connection at ``address``
    (``host:port``; other forms are left to Ray), after at most ``timeout`` seconds."""
    match = _HOST_PORT.match(address)
    if match is None:
        return
    host, port = match["host"].strip("[]"), int(match["port"])
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except TimeoutError:
        raise UsageError(f"no Ray cluster answered within {timeout:.0f} s", path=address) from None
    except OSError as exc:
        raise UsageError(f"cannot reach a Ray cluster there ({exc.strerror or exc})", path=address) from None


#: Ray's settings that bound one connection attempt: (environment variable, share of the timeout).
_CONNECT_SETTINGS = (
    ("RAY_gcs_rpc_server_connect_timeout_s", 1 / 6),  # waited twice: the GCS, then its pubsub
    ("RAY_py_gcs_connect_timeout_s", 1 / 2),
)
#: One attempt (Ray makes 20, each up to ~41 s, against a port that answers but is no Ray cluster).
_ONE_ATTEMPT = ("RAY_gcs_server_port_wait_time_s", "1")


@contextmanager
def _bounded_connect(ray, timeout: float) -> Iterator[None]:
    """While joining: one attempt whose waits fit in ``timeout``. Ray reads these settings from
    the environment when its config is loaded, so it is loaded again (as Ray does for its token)."""
    settings = {name: str(max(1, int(timeout * share))) for name, share in _CONNECT_SETTINGS}
    settings[_ONE_ATTEMPT[0]] = _ONE_ATTEMPT[1]
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    config = getattr(getattr(ray, "_raylet", None), "Config", None)
    if config is not None:
        config.initialize("")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _describe(ray, *, started_here: bool) -> Cluster:
    resources = ray.cluster_resources()
    return Cluster(int(resources.get("CPU", 0)), int(resources.get("GPU", 0)), started_here)


def _quiet_ray_data() -> None:
    """No progress bars or execution banners from Ray Data: the command shows its own."""
    import ray.data

    logging.getLogger("ray.data").setLevel(logging.ERROR)  # not the note that progress bars are off
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
