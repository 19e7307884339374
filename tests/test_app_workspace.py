"""Where the app keeps photos: a private folder per launch, Gradio pointed into it, deletion per
session (uploads shared by two sessions kept for the other), by age and at close."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from photoguard.app.workspace import GRADIO_ENV, Workspace, private_dir, private_file


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _upload(ws: Workspace, digest: str, name: str = "a.jpg", data: bytes = b"photo") -> Path:
    """A file where Gradio stores an upload: <files>/<sha256>/<name>."""
    folder = ws.files / digest
    folder.mkdir()
    (folder / name).write_bytes(data)
    return folder / name


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace(tmp_path / "work")
    yield workspace
    workspace.close()


def test_default_root_is_a_new_private_temp_folder_removed_at_close(monkeypatch):
    monkeypatch.delenv(GRADIO_ENV, raising=False)
    ws = Workspace()
    try:
        assert ws.owned and ws.root.name.startswith("photoguard-app-") and _mode(ws.root) == 0o700
        other = Workspace()
        assert other.root != ws.root  # never a fixed, guessable name
        other.close()
        ws.activate()
        assert os.environ[GRADIO_ENV] == str(ws.files) and _mode(ws.files) == 0o700
    finally:
        ws.close()
    assert not ws.root.exists() and GRADIO_ENV not in os.environ


def test_a_given_folder_is_kept_but_its_files_are_deleted(tmp_path, monkeypatch):
    monkeypatch.setenv(GRADIO_ENV, "/somewhere/else")
    ws = Workspace(tmp_path / "mine")
    ws.activate()
    _upload(ws, "ab" * 32)
    ws.close()
    assert (tmp_path / "mine").is_dir() and not ws.files.exists()
    assert os.environ[GRADIO_ENV] == "/somewhere/else"  # restored
    ws.close()  # idempotent


def test_ending_a_session_deletes_its_folder_and_uploads(ws):
    mine, shared = _upload(ws, "11" * 32), _upload(ws, "22" * 32, "b.jpg")
    ws.adopt("alice", [mine, shared])
    ws.adopt("bob", [shared])
    job = ws.session_dir("alice") / "job1" / "0" / "out"
    private_dir(job)
    private_file(job / "a.jpg", b"protected")
    ws.end_session("alice")
    assert not mine.exists() and not mine.parent.exists()
    assert shared.exists()  # bob still holds it
    assert not ws.session_dir("alice").joinpath("job1").exists()
    ws.end_session("bob")
    assert not shared.exists()


def test_session_folders_are_named_by_digest(ws):
    evil = ws.session_dir("../../../etc")
    assert evil.parent == ws.sessions and ".." not in evil.name and len(evil.name) == 32
    assert ws.session_dir("alice") == ws.session_dir("alice") != ws.session_dir("bob")


def test_only_files_inside_the_workspace_are_adopted(ws, tmp_path):
    outside = tmp_path / "elsewhere.jpg"
    outside.write_bytes(b"x")
    ws.adopt("alice", [outside])
    ws.end_session("alice")
    assert outside.exists()


def test_prune_deletes_what_is_older_than_the_limit(ws):
    old_upload, new_upload = _upload(ws, "33" * 32), _upload(ws, "44" * 32)
    old_job, new_job = private_dir(ws.session_dir("s") / "old"), private_dir(ws.session_dir("s") / "new")
    hours_ago = time.time() - 7200
    for path in (old_upload.parent, old_job):
        os.utime(path, (hours_ago, hours_ago))
    ws.prune(max_age_s=3600)
    assert not old_upload.parent.exists() and not old_job.exists()
    assert new_upload.exists() and new_job.exists() and ws.sessions.exists()
    os.utime(ws.session_dir("s") / "new", (hours_ago, hours_ago))
    os.utime(ws.session_dir("s"), (hours_ago, hours_ago))
    ws.prune(max_age_s=3600)
    assert list(ws.sessions.iterdir()) == []  # the emptied, old session folder went too


def test_private_files_and_folders(tmp_path):
    folder = private_dir(tmp_path / "a" / "b")
    assert _mode(tmp_path / "a") == 0o700 and _mode(folder) == 0o700
    path = private_file(folder / "x.png", b"data")
    assert _mode(path) == 0o600 and path.read_bytes() == b"data"
    path.chmod(0o644)
    private_file(path, b"again")
    assert _mode(path) == 0o600
