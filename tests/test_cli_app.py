"""``photoguard app``: loopback and no share link by default; options passed through to ``launch``."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("gradio")

from photoguard.app import ui
from photoguard.cli import main


@pytest.fixture
def launched(monkeypatch):
    calls: list[dict] = []
    monkeypatch.setattr(ui, "launch", lambda **kwargs: calls.append(kwargs))
    return calls


def test_defaults_bind_loopback_without_share(launched):
    assert main(["app"]) == 0
    assert launched == [{"host": "127.0.0.1", "port": 7860, "share": False}]


def test_host_port_and_share_are_passed(launched):
    assert main(["app", "--host", "0.0.0.0", "--port", "8080", "--share"]) == 0
    assert launched == [{"host": "0.0.0.0", "port": 8080, "share": True}]


def test_every_interface_is_not_bound_without_a_word(launched, capsys):
    assert main(["app", "--host", "0.0.0.0"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("photoguard: warning: --host 0.0.0.0 lets every device that can reach this computer")
    assert "with no password" in err and launched[0]["host"] == "0.0.0.0"
    for quiet in ("127.0.0.1", "localhost", "::1"):
        assert main(["app", "--host", quiet]) == 0
        assert "warning" not in capsys.readouterr().err


def test_bad_port_is_a_usage_error(launched, capsys):
    assert main(["app", "--port", "0"]) == 2
    assert launched == [] and "greater than or equal to 1" in capsys.readouterr().err


def test_build_app_loads_no_model():
    # In a fresh interpreter: other tests in this session may have loaded the models already.
    code = (
        "import sys; from photoguard.app import build_app; import gradio as gr; "
        "assert isinstance(build_app(), gr.Blocks); "
        "loaded = [m for m in sys.modules if m.startswith(('photoguard.cloak', 'photoguard.models.', 'photoguard.faces', 'torch')) and m != 'photoguard.models.encoders']; "
        "assert not loaded, loaded"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
