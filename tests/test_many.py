"""``protect_many``: several photos cloaked in one batched optimisation equal one-at-a-time ``protect``.

The photos are the astronaut and two real portraits of ../shared/faces, downscaled so the run
stays short (the ``fast`` preset with 4 steps: the batching, not the protection, is under test).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from _faces import FACES
from PIL import Image

from photoguard.config import preset
from photoguard.errors import ImageError
from photoguard.types import ProtectResult

CONFIG = preset("fast").with_(steps=4)
SIDE = 320  # longest side of the portraits, px


def _portraits(n: int) -> list[np.ndarray]:
    """The first photo of each of the first ``n`` identities, downscaled to :data:`SIDE` px."""
    if not (FACES / "identities.csv").is_file():
        pytest.skip(f"face photos not available at {FACES}")
    with open(FACES / "identities.csv", newline="") as fh:
        first: dict[str, str] = {}
        for row in csv.DictReader(fh):
            first.setdefault(row["identity"], row["path"])
    out = []
    for path in list(first.values())[:n]:
        image = Image.open(FACES / path).convert("RGB")
        image.thumbnail((SIDE, SIDE), Image.Resampling.LANCZOS)
        out.append(np.asarray(image).copy())
    return out


@pytest.fixture(scope="module")
def photos(weights, astronaut: np.ndarray) -> list[np.ndarray]:
    return [astronaut, *_portraits(2)]


@pytest.fixture(scope="module")
def alone(photos: list[np.ndarray]) -> list[ProtectResult]:
    """Each photo protected on its own."""
    import photoguard

    return [photoguard.protect(p, strength=CONFIG, device="cpu") for p in photos]


def _close(batched: np.ndarray, single: np.ndarray) -> tuple[int, float]:
    """``(max |diff| in 8-bit levels, fraction of pixel values that differ by more than 1 level)``."""
    diff = np.abs(batched.astype(int) - single.astype(int))
    return int(diff.max()), float((diff > 1).mean())


@pytest.mark.weights
def test_batched_photos_equal_photos_one_at_a_time(photos: list[np.ndarray], alone: list[ProtectResult]) -> None:
    """Same seed, same photo: the batched output is the one-at-a-time output.

    Not always bit for bit: a convolution over a batch of 3 faces may sum in another order (other
    blocking in oneDNN, another cuDNN algorithm) than over one, so a pixel can land one 8-bit level
    apart, and across the steps such differences can grow a little. So the test asserts what a user
    would call the same result: every face cloaked with the same verdict, at most 1 level apart on
    >= 99.9 % of the pixel values; and it prints the measured difference (at 4 steps: the
    astronaut bit-identical, the portraits 1 level apart on 0.02 % and 0.4 % of the values). The
    optimisation amplifies the rounding step by step: ``benchmarks/batching.py`` (4 faces, 8
    steps) measured up to 9 levels on 0.3-0.4 % of the values, the final similarities within 0.015.
    """
    import photoguard

    batched = photoguard.protect_many(photos, strength=CONFIG, device="cpu")
    assert all(isinstance(r, ProtectResult) for r in batched)
    for k, (many, one) in enumerate(zip(batched, alone)):
        assert isinstance(many, ProtectResult)
        assert one.faces_protected >= 1, f"photo {k}: no face cloaked alone (the fixture is wrong)"
        assert many.faces_protected == one.faces_protected
        assert many.verdict == one.verdict
        worst, off = _close(many.image, one.image)
        changed = float((many.image != one.image).mean())
        print(f"photo {k}: max |diff| {worst} levels; values that differ: {changed:.4%}, by > 1 level: {off:.4%}")
        assert off <= 0.001, f"photo {k}: {off:.4%} of the values differ by more than 1 level (max {worst})"
        assert not np.array_equal(many.image, photos[k])  # the cloak did something


@pytest.mark.weights
def test_a_photo_without_a_face_or_a_corrupt_one_does_not_break_the_others(
    tmp_path: Path, photos: list[np.ndarray], alone: list[ProtectResult]
) -> None:
    import photoguard

    no_face = np.full((96, 128, 3), 128, np.uint8)
    corrupt = b"\xff\xd8\xff\xe0" + b"\x00" * 64  # a JPEG header and nothing more
    outputs = [tmp_path / "astronaut.png", tmp_path / "plain.png", tmp_path / "broken.jpg", tmp_path / "portrait.png"]
    results = photoguard.protect_many(
        [photos[0], no_face, corrupt, photos[1]], strength=CONFIG, device="cpu", output=outputs
    )
    first, plain, broken, last = results
    assert isinstance(broken, ImageError) and not outputs[2].exists()
    assert isinstance(plain, ProtectResult) and plain.faces_protected == 0 and np.array_equal(plain.image, no_face)
    for result, single, path in ((first, alone[0], outputs[0]), (last, alone[1], outputs[3])):
        assert isinstance(result, ProtectResult) and result.output_path == path and path.is_file()
        assert result.verdict == single.verdict
        assert _close(result.image, single.image)[1] <= 0.001
        assert np.array_equal(np.asarray(Image.open(path).convert("RGB")), result.image)  # the file is the result


@pytest.mark.weights
def test_two_photos_with_one_name_keep_the_first_file(tmp_path: Path, photos: list[np.ndarray]) -> None:
    """Two in-memory photos written to one folder would both be ``protected.png``: the second is refused."""
    import photoguard
    from photoguard.errors import UsageError

    no_face = np.full((64, 64, 3), 90, np.uint8)
    first, second = photoguard.protect_many(
        [no_face, no_face + 1], strength=CONFIG, device="cpu", output=f"{tmp_path}/", verify=False
    )
    assert isinstance(first, ProtectResult) and isinstance(second, UsageError)
    assert np.asarray(Image.open(tmp_path / "protected.png")).max() == 90


def test_one_output_for_many_photos_must_be_a_folder(tmp_path: Path) -> None:
    import photoguard
    from photoguard.errors import UsageError

    with pytest.raises(UsageError, match="folder"):
        photoguard.protect_many([np.zeros((8, 8, 3), np.uint8)] * 2, output=tmp_path / "x.png", device="cpu")
    with pytest.raises(UsageError, match="2 outputs for 1 photos"):
        photoguard.protect_many([np.zeros((8, 8, 3), np.uint8)], output=["a.png", "b.png"], device="cpu")
