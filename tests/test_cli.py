"""The command line's exit codes and ``photoguard models fetch|list|verify``, run in-process.

Exit codes: 0 all done, 1 some files failed, 2 usage error.
"""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from photoguard.cli import main
from photoguard.models import store as model_store


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    """``$PHOTOGUARD_MODELS`` and the project ``models/`` folder both empty (the real manifest kept)."""
    monkeypatch.setenv("PHOTOGUARD_MANIFEST", str(model_store._manifest_path()))
    store, project = tmp_path / "store", tmp_path / "project-models"
    store.mkdir()
    project.mkdir()
    monkeypatch.setenv("PHOTOGUARD_MODELS", str(store))
    monkeypatch.setattr(model_store, "PROJECT_MODEL_DIR", project)
    model_store._read_manifest.cache_clear()
    model_store._verified.cache_clear()
    yield store
    model_store._read_manifest.cache_clear()
    model_store._verified.cache_clear()


def _tiny_manifest(monkeypatch, files: dict[str, bytes]) -> None:
    """Replace the manifest with one entry per ``{file name: good bytes}``."""
    entries = {
        name.split(".")[0]: model_store.ModelSpec(
            name=name.split(".")[0],
            file=name,
            sha256=hashlib.sha256(data).hexdigest(),
            licence="MIT",
            commercial_use=True,
            source="test",
            task="test",
            input="-",
        )
        for name, data in files.items()
    }
    monkeypatch.setattr(model_store, "manifest", lambda: entries)


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "strip" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys):
    assert main(["no-such-command"]) == 2
    assert "no-such-command" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(capsys):
    assert main(["models", "list", "--no-such-option"]) == 2


def test_models_verify_missing_names_file_and_fetch_command(empty_store, capsys):
    assert main(["models", "verify"]) == 1
    captured = capsys.readouterr()
    assert "missing" in captured.out
    first = next(iter(model_store.manifest().values()))
    errors = [line for line in captured.err.splitlines() if first.file in line]
    assert errors and model_store.FETCH_COMMAND in errors[0]


def test_models_fetch_corrupt_file_fails_and_writes_nothing(empty_store, tmp_path, monkeypatch, capsys):
    good, bad = b"good weights" * 100, b"bad weights" * 100
    _tiny_manifest(monkeypatch, {"good.onnx": good, "bad.onnx": bad})
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "good.onnx").write_bytes(good)
    (mirror / "bad.onnx").write_bytes(bad[:-1] + b"X")  # one byte flipped
    assert main(["models", "fetch", "--from", str(mirror)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("FAILED") and " bad " in line and "sha256" in line for line in lines)
    assert any(line.startswith("copied") and " good " in line for line in lines)
    assert sorted(p.name for p in empty_store.iterdir()) == ["good.onnx"]  # no bad.onnx, no .tmp-*


def test_models_fetch_copies_then_reports_present(empty_store, tmp_path, monkeypatch, capsys):
    data = b"tiny model" * 50
    _tiny_manifest(monkeypatch, {"tiny.onnx": data})
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "tiny.onnx").write_bytes(data)
    assert main(["models", "fetch", "--from", str(mirror)]) == 0
    assert capsys.readouterr().out.startswith("copied")
    assert (empty_store / "tiny.onnx").read_bytes() == data
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE((empty_store / "tiny.onnx").stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    assert main(["models", "fetch", "--from", str(mirror)]) == 0
    assert capsys.readouterr().out.startswith("ok")  # the CLI's word for "present"
    assert [o.status for o in model_store.fetch_models(mirror)] == ["present"]
    assert main(["models", "verify"]) == 0
    assert sorted(p.name for p in empty_store.iterdir()) == ["tiny.onnx"]


def test_models_list_shows_licences(empty_store, capsys):
    assert main(["models", "list"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "│" in line]
    for name in ("arcface_w600k_mbf", "scrfd_500m"):
        row = next(line for line in rows if name in line)
        assert "InsightFace: non-commercial research only" in row and "[NON-COMMERCIAL]" in row
    sface = next(line for line in rows if "sface_2021dec" in line)
    assert "Apache-2.0" in sface and "NON-COMMERCIAL" not in sface


def test_strip_and_inspect_start_without_heavy_imports(tmp_path):
    # Start-up budget: `photoguard strip|inspect` must not import torch, numpy, PIL or rich.
    import subprocess
    import sys

    photo = tmp_path / "a.jpg"
    sof = b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"  # a 1 x 1 frame: the file is a picture
    photo.write_bytes(
        b"\xff\xd8\xff\xfe\x00\x07hello" + sof + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x12\x34\xff\xd9"
    )
    code = (
        "import sys; from photoguard.cli import main\n"
        f"assert main(['inspect', {str(photo)!r}]) == 0\n"
        f"assert main(['strip', {str(photo)!r}, '-o', {str(tmp_path / 'out')!r}]) == 0\n"
        "heavy = sorted(m for m in ('torch', 'numpy', 'PIL', 'rich', 'cv2', 'gradio') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "a.jpg").read_bytes().find(b"hello") < 0
