"""Face detection (YuNet) and the ``photoguard detect`` command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import SAMPLE

from photoguard.cli import main
from photoguard.faces.detect import detect_faces


@pytest.mark.weights
def test_sample_has_one_face_with_five_landmarks_inside_the_box(weights, astronaut: np.ndarray) -> None:
    faces = detect_faces(astronaut)
    assert len(faces) == 1
    face = faces[0]
    x0, y0, x1, y1 = face.box
    assert 0.6 < face.score <= 1.0 and 60 < face.size < 200
    assert face.landmarks.shape == (5, 2)
    assert np.all((face.landmarks[:, 0] > x0) & (face.landmarks[:, 0] < x1))
    assert face.landmarks[0, 0] < face.landmarks[1, 0]  # left eye left of right eye, as seen


@pytest.mark.weights
def test_large_photos_are_detected_on_a_smaller_copy(weights, astronaut: np.ndarray) -> None:
    big = np.kron(astronaut, np.ones((5, 5, 1), dtype=np.uint8))  # 2560 x 2560
    small, large = detect_faces(astronaut)[0], detect_faces(big)[0]
    assert np.allclose(np.array(large.box) / 5, small.box, atol=4)


@pytest.mark.weights
def test_no_face_and_tiny_images(weights) -> None:
    assert detect_faces(np.full((200, 300, 3), 128, np.uint8)) == []
    assert detect_faces(np.zeros((1, 1, 3), np.uint8)) == []
    with pytest.raises(ValueError):
        detect_faces(np.zeros((10, 10), np.uint8))


@pytest.mark.weights
def test_detect_command(weights, capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    assert main(["detect", str(SAMPLE)]) == 0
    assert "1 face(s)" in capsys.readouterr().out
    assert main(["detect", "--json", str(SAMPLE)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["faces"][0]["protectable"] is True
    bad = tmp_path / "bad.jpg"
    bad.write_text("not a photo")
    assert main(["detect", str(bad)]) == 1
    assert "bad.jpg" in capsys.readouterr().err
