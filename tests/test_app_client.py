"""The app driven through ``gradio_client`` against a launched instance (real models, fast preset)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _app_fixtures import SAMPLE, running_app
from PIL import Image

gradio_client = pytest.importorskip("gradio_client")

pytestmark = [pytest.mark.weights, pytest.mark.slow]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("app-work")
    with running_app(workdir) as url:
        yield gradio_client.Client(url, download_files=str(tmp_path_factory.mktemp("downloads")), verbose=False), workdir


def test_protect_sample_photo_fast(client):
    cli, workdir = client
    whole, face, downloads, report, _picker = cli.predict(
        files=[gradio_client.handle_file(str(SAMPLE))], choice="fast", api_name="/protect"
    )
    # The download is the exact file the library wrote, byte for byte, under its own name.
    written = list(workdir.glob("*/0/out/*"))
    assert len(written) == 1 and written[0].name == "astronaut.png"
    assert len(downloads) == 1 and Path(downloads[0]).name == "astronaut.png"
    assert Path(downloads[0]).read_bytes() == written[0].read_bytes()
    with Image.open(downloads[0]) as protected, Image.open(SAMPLE) as original:
        assert protected.format == "PNG" and protected.size == original.size
    # Before/after and face zoom previews came back.
    assert len(whole["value"]) == 2 and all(Path(p).exists() for p in whole["value"])
    assert face["visible"] is True and len(face["value"]) == 2
    # The report names the face, the verification score and the quality.
    # The headline is the held-out verdict; the sample is protected at fast (benchmarks/results).
    assert report.startswith("### ✅ protected: astronaut.png (fast)")
    assert "1 found, 1 cloaked, 1 checked protected" in report
    assert "similarity" in report and "the same person from" in report and "was 1.00" in report
    assert "PSNR" in report


def test_non_image_upload_gets_a_message_not_a_traceback(client, tmp_path):
    cli, _ = client
    bogus = tmp_path / "holiday.jpg"
    bogus.write_text("this is not a photo")
    _whole, _face, downloads, report, _picker = cli.predict(
        files=[gradio_client.handle_file(str(bogus))], choice="fast", api_name="/protect"
    )
    assert downloads is None
    assert "holiday.jpg: not processed" in report and "not a photo photoguard can read" in report
    assert "Traceback" not in report
