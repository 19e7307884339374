"""The app against a running instance, as two browsers and as no browser at all: files are served
and processed only for the browser that sent or caused them, nothing outside the app's workspace is
served, a killed app's photos go at the next start, and a refused upload leaves no traceback on the
console. Plain HTTP (httpx), as anyone who can reach 127.0.0.1 could send it."""

from __future__ import annotations

import html
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from _app_fixtures import copies_on_disk, free_port, running_app, unique_copy

httpx = pytest.importorskip("httpx")
pytest.importorskip("gradio")

ROOT = Path(__file__).resolve().parents[1]


def _upload(browser, photo: Path) -> str:
    """Send ``photo`` through Gradio's upload route; the path it was stored at."""
    answer = browser.post("/gradio_api/upload", files=[("files", (photo.name, photo.read_bytes(), "image/png"))])
    assert answer.status_code == 200, answer.text
    [path] = answer.json()
    return path


def _call(browser, path: str | list[str], name: str | list[str], choice: str = "metadata only"):
    """Start the app's ``protect`` endpoint on files named by their paths, as its API allows."""
    paths, names = ([path], [name]) if isinstance(path, str) else (path, name)
    files = [{"path": p, "meta": {"_type": "gradio.FileData"}, "orig_name": n} for p, n in zip(paths, names)]
    data = [files, choice, False, "en"]
    return browser.post("/gradio_api/call/protect", json={"data": data})


def _protect(browser, path: str | list[str], name: str | list[str], choice: str = "metadata only") -> list:
    """The outputs of the app's ``protect`` endpoint on uploaded files (one, or several with their names)."""
    answer = _call(browser, path, name, choice)
    assert answer.status_code == 200, answer.text
    stream = browser.get(f"/gradio_api/call/protect/{answer.json()['event_id']}", timeout=300).text
    event, _, payload = stream.strip().partition("\ndata: ")
    assert event == "event: complete", stream
    return json.loads(payload)


def _get(url: str, path: str, browser=None) -> int:
    """The status of fetching ``path`` through Gradio's file route (no cookie without ``browser``)."""
    return (
        browser.get(f"/gradio_api/file={path}") if browser else httpx.get(f"{url}gradio_api/file={path}")
    ).status_code


@pytest.fixture
def app_in(tmp_path, monkeypatch):
    """The app started from a folder that holds Gradio's default examples cache with a file in it."""
    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    monkeypatch.delenv("GRADIO_EXAMPLES_CACHE", raising=False)
    cwd = tmp_path / "started-here"
    secret = cwd / ".gradio" / "cached_examples" / "secret_cache.txt"
    secret.parent.mkdir(parents=True)
    secret.write_text("someone else's cached example")
    monkeypatch.chdir(cwd)
    with running_app(tmp_path / "work") as url:
        yield url, secret


def test_files_are_served_and_used_only_for_the_browser_that_sent_them(app_in, tmp_path):
    url, _ = app_in
    alice, bob = httpx.Client(base_url=url), httpx.Client(base_url=url)
    for browser in (alice, bob):
        assert browser.get("/").status_code == 200  # the page: each browser gets its key
    photo = unique_copy(tmp_path / "alice", "alice_private.png")
    upload = _upload(alice, photo)
    outputs = _protect(alice, upload, photo.name)
    download = outputs[1]["value"]["path"]
    assert Path(download).read_bytes() == photo.read_bytes()  # a PNG without metadata: the same bytes
    assert "/sessions/" in download

    # Alice gets her upload and her protected copy; no one else does, with or without a browser key.
    for path in (upload, download):
        assert _get(url, path, alice) == 200
        assert _get(url, path) == 404
        assert _get(url, path, bob) == 404
    assert alice.get(f"/gradio_api/file/{download}").status_code == 200
    assert httpx.get(f"{url}gradio_api/file/{download}").status_code == 404  # Gradio's other spelling

    # Bob cannot have Alice's upload (or her protected copy) processed by naming its path, nor can
    # a request with no browser key.
    copies = len(copies_on_disk(photo.read_bytes(), [tmp_path / "work"]))
    for path in (upload, download):
        assert _call(bob, path, photo.name).status_code == 403
        assert _call(httpx.Client(base_url=url), path, photo.name).status_code == 403
    assert len(copies_on_disk(photo.read_bytes(), [tmp_path / "work"])) == copies  # no copy made for Bob


def test_each_cards_download_link_is_served_to_its_browser_only(app_in, tmp_path):
    """With several photos each card links its own protected file (the previews' URL scheme):
    the browser that had them made gets them, another browser and no browser get nothing."""
    url, _ = app_in
    alice, bob = httpx.Client(base_url=url), httpx.Client(base_url=url)
    for browser in (alice, bob):
        browser.get("/")
    photos = [unique_copy(tmp_path / f"alice{i}", f"alice_{i}.png") for i in range(2)]
    uploads = [_upload(alice, photo) for photo in photos]
    status = _protect(alice, uploads, [p.name for p in photos])[0]["value"]
    links = [html.unescape(part.split('"')[0]) for part in status.split('href="')[1:]]
    assert len(links) == 2 and all(link.startswith("gradio_api/file=") and "/sessions/" in link for link in links)
    for link, photo in zip(links, photos):
        mine = alice.get(f"/{link}")
        assert mine.status_code == 200 and mine.content == photo.read_bytes()  # a PNG without metadata
        assert bob.get(f"/{link}").status_code == 404
        assert httpx.get(f"{url}{link}").status_code == 404


def test_nothing_outside_the_workspace_is_served(app_in):
    url, secret = app_in
    browser = httpx.Client(base_url=url)
    browser.get("/")
    # Not Gradio's examples cache in the folder the app was started from (served by default).
    for path in (".gradio/cached_examples/secret_cache.txt", str(secret), "/etc/hostname"):
        assert _get(url, path, browser) == 404 and _get(url, path) == 404


def test_a_refused_upload_leaves_no_traceback_on_the_console(app_in, tmp_path, capfd):
    """A file that is not a photo (refused by the upload button), a path outside the app's folder."""
    url, _ = app_in
    browser = httpx.Client(base_url=url)
    browser.get("/")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    answer = browser.post("/gradio_api/upload", files=[("files", ("notes.txt", notes.read_bytes(), "text/plain"))])
    [path] = answer.json()
    data = [[{"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": "notes.txt"}], "fast", False, "en"]
    event = browser.post("/gradio_api/call/protect", json={"data": data}).json()["event_id"]
    stream = browser.get(f"/gradio_api/call/protect/{event}", timeout=120).text
    assert "event: error" in stream and "Invalid file type" in stream  # the page still says why
    assert _call(browser, "/etc/hostname", "hostname.png").status_code == 403
    assert "Traceback" not in capfd.readouterr().err


_APP = """
import sys
from photoguard.app import launch
launch(port=int(sys.argv[1]))
"""


def _wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL, and the advisory lock a running app holds")
def test_a_killed_apps_photos_go_at_the_next_start(tmp_path, monkeypatch):
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_port()
    env = {**os.environ, "TMPDIR": str(temp), "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("GRADIO_TEMP_DIR", None)
    app = subprocess.Popen(
        [sys.executable, "-c", _APP, str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for(url)
        browser = httpx.Client(base_url=url)
        browser.get("/")
        photo = unique_copy(tmp_path / "alice", "alice_private.png")
        _upload(browser, photo)
        assert copies_on_disk(photo.read_bytes(), [temp]), "the upload should be in the app's folder"
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait(timeout=30)
    [left] = temp.glob("photoguard-app-*")  # a kill -9 deletes nothing
    assert copies_on_disk(photo.read_bytes(), [temp])
    # The next launch (as a user would start it, with the same temp folder) removes it.
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    with running_app(None):
        assert not left.exists() and copies_on_disk(photo.read_bytes(), [temp]) == []
        [running] = temp.glob("photoguard-app-*")
    assert not running.exists()
