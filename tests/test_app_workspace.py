"""Where the app keeps photos: a private folder per launch, Gradio pointed into it, deletion per
session (uploads shared by two sessions kept for the other), by age and at close."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from photoguard.app.leftovers import remove_stale_workspaces
from photoguard.app.workspace import GRADIO_ENV, Workspace, private_dir, private_file

ALICE, BOB = "alice-browser-key", "bob-browser-key"


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
    ws.claim(ALICE, [mine, shared])
    ws.claim(BOB, [shared])  # the same bytes sent by both: Gradio stores them once
    assert ws.adopt(ALICE, "alice-tab", [mine, shared]) == [mine.resolve(), shared.resolve()]
    assert ws.adopt(BOB, "bob-tab", [mine, shared]) == [shared.resolve()]  # not Alice's
    job = ws.session_dir(ALICE, "alice-tab") / "job1" / "0" / "out"
    private_dir(job)
    private_file(job / "a.jpg", b"protected")
    ws.end_session(ALICE, "alice-tab")
    assert not mine.exists() and not mine.parent.exists()
    assert shared.exists()  # bob still holds it
    assert not ws.browser_dir(ALICE).exists()
    ws.end_session(BOB, "bob-tab")
    assert not shared.exists()


def test_a_browser_owns_its_uploads_and_what_was_made_for_it_nothing_else(ws, tmp_path):
    upload = _upload(ws, "55" * 32)
    ws.claim(ALICE, [upload])
    made = private_file(ws.session_dir(ALICE, "tab") / "job" / "0" / "out" / "a.jpg", b"protected")
    for path in (upload, made, ws.files / ("55" * 32) / ".." / ("55" * 32) / "a.jpg"):
        assert ws.owns(ALICE, path) and not ws.owns(BOB, path) and not ws.owns(None, path)
    outside = tmp_path / "elsewhere.jpg"
    outside.write_bytes(b"x")
    ws.claim(ALICE, [outside])  # not an upload: never anyone's
    assert not ws.owns(ALICE, outside) and not ws.owns(ALICE, ws.files / "sessions")


def test_session_folders_are_named_by_digest(ws):
    evil = ws.session_dir("../../../etc", "../..")
    assert evil.parent.parent == ws.sessions and ".." not in evil.name and len(evil.name) == 32
    assert ws.session_dir(ALICE, "a") == ws.session_dir(ALICE, "a") != ws.session_dir(BOB, "a")


def test_only_files_inside_the_workspace_are_adopted(ws, tmp_path):
    outside = tmp_path / "elsewhere.jpg"
    outside.write_bytes(b"x")
    assert ws.adopt(ALICE, "tab", [outside]) == []
    ws.end_session(ALICE, "tab")
    assert outside.exists()


def test_prune_deletes_what_is_older_than_the_limit(ws):
    old_upload, new_upload = _upload(ws, "33" * 32), _upload(ws, "44" * 32)
    session = ws.session_dir(ALICE, "s")
    old_job, new_job = private_dir(session / "old"), private_dir(session / "new")
    hours_ago = time.time() - 7200
    for path in (old_upload.parent, old_job):
        os.utime(path, (hours_ago, hours_ago))
    ws.prune(max_age_s=3600)
    assert not old_upload.parent.exists() and not old_job.exists()
    assert new_upload.exists() and new_job.exists() and ws.sessions.exists()
    os.utime(new_job, (hours_ago, hours_ago))
    ws.prune(max_age_s=3600)
    assert list(ws.sessions.iterdir()) == []  # the emptied session and browser folders went too


def test_workspaces_of_apps_no_longer_running_go_at_the_next_start(tmp_path):
    running = Workspace()  # a running app's folder: its lock held (by this process)
    try:
        killed = tmp_path / "photoguard-app-killed"
        (killed / "files").mkdir(parents=True)
        (killed / "files" / "alice_private.png").write_bytes(b"photo")
        (killed / "lock").write_bytes(b"")  # its app is gone: nobody holds the lock
        young = tmp_path / "photoguard-app-starting"  # no lock file yet: an app starting now
        young.mkdir()
        assert remove_stale_workspaces(tmp_path, max_age_s=3600) == [killed]
        assert young.exists() and not killed.exists()
        running_copy = tmp_path / running.root.name
        running.root.rename(running_copy)  # the running app's folder, its lock still held
        try:
            assert remove_stale_workspaces(tmp_path, max_age_s=3600) == [] and running_copy.exists()
        finally:
            running_copy.rename(running.root)
    finally:
        running.close()
    # A folder given to the app: what a killed app left in it goes, the folder stays.
    given = tmp_path / "given"
    (given / "files" / "sessions").mkdir(parents=True)
    (given / "files" / "sessions" / "old.png").write_bytes(b"photo")
    (given / "lock").write_bytes(b"")
    ws = Workspace(given)
    assert not (given / "files" / "sessions" / "old.png").exists()
    ws.close()
    assert given.is_dir() and not (given / "lock").exists()


def test_private_files_and_folders(tmp_path):
    folder = private_dir(tmp_path / "a" / "b")
    assert _mode(tmp_path / "a") == 0o700 and _mode(folder) == 0o700
    path = private_file(folder / "x.png", b"data")
    assert _mode(path) == 0o600 and path.read_bytes() == b"data"
    path.chmod(0o644)
    private_file(path, b"again")
    assert _mode(path) == 0o600
