"""Joining a Ray cluster, or starting a private one on this machine, with nothing sent anywhere:
no usage statistics, no dashboard, worker logs kept out of the command's output."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from photoguard.errors import UsageError

#: Said when the ``ray`` extra is missing.
INSTALL_HINT = "the Ray engine needs Ray: pip install 'photoguard[ray]'"


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
    address: str | None = None, *, num_cpus: int | None = None, num_gpus: int | None = None
) -> Iterator[Cluster]:
    """Join the Ray cluster at ``address``, or start a private one on this machine.

    Args:
        address: a running cluster (``host:port`` of its head, ``ray://host:10001`` through Ray
            Client, or ``auto`` for the one ``ray start`` launched here); None starts a new local
            cluster for this run only (never joins another one by accident).
        num_cpus: CPUs of the private local cluster (default: every core); ignored with ``address``.
        num_gpus: GPUs of the private local cluster (default: what Ray detects).

    A process that is already connected (``ray.init()`` called by the caller) keeps its
    connection, and it is left open at the end.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield _describe(ray, started_here=False)
        return
    local = address is None
    _quiet_ray_data()
    ray.init(
        address="local" if local else address,
        num_cpus=num_cpus if local else None,
        num_gpus=num_gpus if local else None,
        include_dashboard=False if local else None,
        log_to_driver=False,
        logging_level=logging.ERROR,  # not the notes on token authentication (on for a local cluster)
    )
    try:
        yield _describe(ray, started_here=local)
    finally:
        ray.shutdown()


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
