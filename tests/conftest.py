"""Shared fixtures: the bundled sample photo and a guard for tests that need the real weights."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "astronaut.png"


@pytest.fixture(scope="session")
def weights() -> None:
    """Skip (with the reason) when the model files were never fetched."""
    from photoguard.errors import ModelError
    from photoguard.models.store import find_model

    try:
        from photoguard.models.encoders import ENCODERS

        for name in ("yunet_2023mar", *(w for spec in ENCODERS.values() for w in spec.weights)):
            find_model(name)
    except ModelError as exc:
        pytest.skip(f"model weights not available: {exc}")


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """The public-domain sample, 512 x 512 x 3 uint8 RGB, one face."""
    from photoguard.imageio import open_image

    return open_image(SAMPLE).rgb


#: The Ray clusters' token, one for the whole test session (nothing written to ~/.ray): Ray keeps
#: the token of its first ``ray.init`` in a process, so every in-process cluster of the session uses the same one.
TOKEN = secrets.token_hex(32)


@pytest.fixture
def ray_env(monkeypatch) -> dict[str, str]:
    """For a test that starts Ray clusters: no usage statistics, the session's token, one torch thread."""
    env = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": TOKEN}
    env |= {"OMP_NUM_THREADS": "1"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return dict(os.environ)


#: Fixtures that start a cluster (Ray) or a server standing in for one (S3 on loopback): a test that
#: uses one is marked ``cluster`` and left out of ``make check``.
CLUSTER_FIXTURES = {"ray_env", "s3"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if CLUSTER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.cluster)
