"""The built wheel works outside the checkout: it ships its manifest, fetches and verifies the
models into the user's data folder and protects a photo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT.parent / "shared" / "models"


@pytest.mark.slow
@pytest.mark.weights
@pytest.mark.skipif(not MIRROR.is_dir(), reason="needs the model mirror ../shared/models")
def test_an_installed_wheel_fetches_verifies_and_protects(weights, tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("photoguard-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    home = tmp_path / "home"  # far from the checkout: nothing may be found through it
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOGUARD_")}
    env.update(PYTHONPATH=str(site), XDG_DATA_HOME=str(home / "data"), HOME=str(home), OMP_NUM_THREADS="1")
    code = "import sys; from photoguard.cli import main; sys.exit(main(sys.argv[1:]))"

    def photoguard(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", code, *args], cwd=home, env=env, capture_output=True, text=True, timeout=600
        )

    where = subprocess.run(
        [sys.executable, "-c", "import photoguard; print(photoguard.__file__)"],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(site)), where  # the wheel's copy, not the checkout's
    fetched = photoguard("models", "fetch", "--from", str(MIRROR))
    assert fetched.returncode == 0, fetched.stderr
    assert (home / "data" / "photoguard" / "models" / "yunet_2023mar.onnx").is_file()
    verified = photoguard("models", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    protected = photoguard("protect", str(SAMPLE), "-o", str(home / "out") + "/", "-s", "fast")
    assert protected.returncode == 0, protected.stderr
    assert protected.stdout.split()[0] in ("protected", "not") and (home / "out" / "astronaut.png").is_file()
