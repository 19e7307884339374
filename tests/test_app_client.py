"""The app driven through ``gradio_client`` against a launched instance: real models (fast preset),
both languages, friendly errors, a ZIP and a link per photo for several photos, and nothing left on
disk at shutdown."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from _app_fixtures import SAMPLE, copies_on_disk, running_app, unique_copy
from PIL import Image

gradio_client = pytest.importorskip("gradio_client")


def _value(update):
    """The value of an output: gradio_client returns some as ``{"value": ...}`` updates."""
    return update.get("value") if isinstance(update, dict) and "__type__" in update else update


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("app-work")
    with running_app(workdir) as url:
        yield (
            gradio_client.Client(url, download_files=str(tmp_path_factory.mktemp("downloads")), verbose=False),
            workdir,
        )


def _protect(cli, files: list[Path], choice: str, language: str = "en"):
    out = cli.predict(
        files=[gradio_client.handle_file(str(f)) for f in files], choice=choice, language=language, api_name="/protect"
    )
    status, download, compare, details, report = (_value(o) for o in out)
    return status, download, compare, details, report


@pytest.mark.weights
@pytest.mark.slow
def test_protect_sample_photo_fast(client):
    cli, workdir = client
    status, download, compare, details, report = _protect(cli, [SAMPLE], "fast")
    # The download is the exact file the library wrote, byte for byte, under its own name.
    written = list(workdir.glob("files/sessions/*/*/*/0/out/*"))  # <browser>/<session>/<job>
    assert len(written) == 1 and written[0].name == "astronaut.png"
    assert Path(download).name == "astronaut.png" and Path(download).read_bytes() == written[0].read_bytes()
    assert "pg-card-download" not in status  # one photo: the big button, no ZIP, no links
    with Image.open(download) as protected, Image.open(SAMPLE) as original:
        assert protected.format == "PNG" and protected.size == original.size
    # The verdict comes first; the sample is protected at fast (benchmarks/results).
    assert '<span class="pg-words">Protected</span>' in status and "now sees a different person" in status
    assert "It does not cover every other face-recognition model" in status and "How sure is this?" in status
    assert report.startswith("### ✅ protected: astronaut.png (fast)")
    assert "1 found, 1 cloaked, 1 checked protected" in report
    assert "similarity" in report and "the same person from" in report and "was 1.00" in report and "PSNR" in report
    # The comparison: the face at 100 %, original and protected in one view, and the difference,
    # served from the session's folder.
    previews = [p.split("gradio_api/file=")[1] for p in compare.split('src="')[1:]]
    assert len(previews) == 3 and all(Path(p.split('"')[0]).is_file() for p in previews)
    assert details == "## Details"


@pytest.mark.weights
@pytest.mark.slow
def test_korean_words_and_a_zip_for_several_photos(client, tmp_path):
    cli, _ = client
    a, b = unique_copy(tmp_path / "a"), unique_copy(tmp_path / "b")  # two photos with the same name
    status, download, _compare, details, report = _protect(cli, [a, b], "fast", "ko")
    assert status.count('<span class="pg-words">보호됨</span>') == 2 and details == "## 자세한 결과"
    assert (
        report.startswith("### ✅ 보호됨: astronaut.png (빠르게)")
        and "얼굴 인식 모델이 이제 다른 사람으로 봅니다" in report
    )
    # A ZIP for a computer, and each card links its own photo for a phone.
    links = [p.split('"')[0].split("gradio_api/file=")[1] for p in status.split('href="')[1:]]
    assert len(links) == 2 and status.count("이 사진 받기") == 2
    with zipfile.ZipFile(download) as z:
        assert z.namelist() == ["astronaut.png", "astronaut-2.png"]
        assert z.read("astronaut.png") == Path(links[0]).read_bytes()
        assert z.read("astronaut-2.png") == Path(links[1]).read_bytes()


def test_non_image_upload_gets_a_message_not_a_traceback(client, tmp_path):
    cli, _ = client
    bogus = tmp_path / "holiday.jpg"
    bogus.write_text("this is not a photo")
    status, download, compare, _details, report = _protect(cli, [bogus], "fast")
    assert download is None and compare == ""
    assert "pg-error" in status and "not a photo photoguard can read" in status
    assert report.startswith("### ❌ not processed: holiday.jpg") and "Traceback" not in report


def test_nothing_is_left_on_disk_after_shutdown(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    photo = unique_copy(tmp_path / "upload")
    upload = photo.read_bytes()
    from _app_fixtures import free_port

    from photoguard.app import launch

    port = free_port()
    demo = launch(host="127.0.0.1", port=port, block=False)  # no workdir: a private temp folder
    root = demo.workspace.root
    try:
        assert oct(root.stat().st_mode & 0o777) == "0o700" and os.environ["GRADIO_TEMP_DIR"] == str(root / "files")
        cli = gradio_client.Client(
            f"http://127.0.0.1:{port}/", download_files=str(tmp_path / "downloads"), verbose=False
        )
        _status, download, *_ = _protect(cli, [photo], "metadata only")  # no model needed
        assert Path(download).name == "astronaut.png"
        assert copies_on_disk(upload, [root]), "Gradio should have stored the upload in the app's folder"
    finally:
        demo.close()
    assert not root.exists()
    assert "GRADIO_TEMP_DIR" not in os.environ
    # The client's own download is the person's copy (here bit-identical: a PNG without metadata).
    shutil.rmtree(tmp_path / "downloads")
    assert copies_on_disk(upload, exclude=[photo]) == []
