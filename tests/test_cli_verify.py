"""``photoguard verify ORIGINAL PROTECTED``: per-encoder similarity as written and after JPEG q75,
and the metadata left in the protected file."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from photoguard.cli import main
from photoguard.config import DEFAULT_PRESET, PRESETS
from photoguard.metadata import inspect_metadata
from photoguard.models.encoders import ENCODER_NAMES
from photoguard.verify import can_judge, verdict_threshold

pytestmark = pytest.mark.weights


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The astronaut and a lightly noised copy that carries an EXIF artist name."""
    root = tmp_path_factory.mktemp("verify")
    original = np.asarray(Image.open("examples/astronaut.png").convert("RGB"))
    noisy = np.clip(original + np.random.default_rng(0).integers(-4, 5, original.shape), 0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x013B] = "Jane Photographer"
    Image.fromarray(original).save(root / "original.png")
    Image.fromarray(noisy).save(root / "copy.jpg", quality=97, exif=exif)
    return root / "original.png", root / "copy.jpg"


def test_verify_json_covers_every_encoder_and_recompression(pair, capsys):
    assert main(["verify", str(pair[0]), str(pair[1]), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [face] = data["faces"]
    judges = [name for name in ENCODER_NAMES if can_judge(name)]
    assert [s["encoder"] for s in face["scores"]] == judges and "mobileface" not in judges
    for s in face["scores"]:
        # A barely changed photo is the same person under every encoder, before and after q75.
        assert s["as_written"] > 0.9 and s["recompressed"] > 0.8
        assert s["threshold"] == pytest.approx(verdict_threshold(s["encoder"]), abs=1e-4)
        assert s["recognised_as_written"] and s["recognised_after_jpeg"]
    held_out = PRESETS[DEFAULT_PRESET].holdout
    assert [s["held_out"] for s in face["scores"]] == [name == held_out for name in judges]
    assert data["metadata_findings"] == inspect_metadata(pair[1]).findings != []


def test_verify_text(pair, capsys):
    assert main(["verify", str(pair[0]), str(pair[1])]) == 0
    text = capsys.readouterr().out
    held_out = PRESETS[DEFAULT_PRESET].holdout
    assert "after JPEG q75" in text and f"{held_out} (held out)" in text and "RECOGNISED" in text
    assert "metadata left in the protected file:" in text
    for finding in inspect_metadata(pair[1]).findings:
        assert f"! {finding}" in text


def test_verify_refuses_different_sizes_and_reports_no_face(pair, tmp_path, capsys):
    small = tmp_path / "small.png"
    Image.open(pair[0]).resize((100, 100)).save(small)
    assert main(["verify", str(pair[0]), str(small)]) == 1
    assert "compare a photo with its own protected copy" in capsys.readouterr().err
    blank = tmp_path / "blank.png"
    Image.new("RGB", (64, 64), "grey").save(blank)
    assert main(["verify", str(blank), str(blank)]) == 0
    assert "no face found in the original" in capsys.readouterr().out
