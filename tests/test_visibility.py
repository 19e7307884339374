"""The visibility model: photoguard's port of ColorVideoVDP against the reference package, the
measurements on whole photos, and the fast estimate the cloak optimises with."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from photoguard.cloak.budget import gaussian_blur
from photoguard.types import Face
from photoguard.visibility.measure import face_jod, phone_jod, region_jod
from photoguard.visibility.model import DISPLAYS, jod
from photoguard.visibility.proxy import CropVisibility
from tests._cvvdp import reference_jod


def _tensor(rgb: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None].float() / 255.0


def _changed(rgb: np.ndarray, rms: float, *, blur: float = 0.0, chroma_only: bool = False, seed: int = 0) -> np.ndarray:
    """``rgb`` plus Gaussian noise of ``rms`` levels, blurred by ``blur`` px (the band a cloak lives in)."""
    noise = torch.from_numpy(np.random.default_rng(seed).normal(0, 1, rgb.shape)).permute(2, 0, 1)[None].float()
    if blur:
        noise = gaussian_blur(noise, blur)
    if chroma_only:
        noise = noise - noise.mean(1, keepdim=True)
    noise = noise[0].permute(1, 2, 0).numpy()
    return np.clip(np.rint(rgb + noise * rms / noise.std()), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def face(astronaut: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(astronaut[40:300, 120:360])


@pytest.mark.parametrize(
    ("rms", "blur", "chroma_only"), [(3.0, 0.0, False), (2.0, 3.0, False), (1.0, 8.0, False), (4.0, 2.0, True)]
)
@pytest.mark.parametrize("display", ["4k", "phone"])
def test_the_port_is_cvvdp(face: np.ndarray, rms: float, blur: float, chroma_only: bool, display: str) -> None:
    changed = _changed(face, rms, blur=blur, chroma_only=chroma_only)
    ours = float(jod(_tensor(changed), _tensor(face), DISPLAYS[display])[0])
    assert ours == pytest.approx(reference_jod(face, changed, DISPLAYS[display].name), abs=2e-4)
    assert ours < 9.995  # a real difference, not an identity


def test_identical_is_10_and_more_change_is_worse(face: np.ndarray) -> None:
    assert region_jod(face, face) == 10.0
    scores = [region_jod(face, _changed(face, rms, blur=2.0)) for rms in (0.5, 1.5, 3.0, 6.0)]
    assert scores == sorted(scores, reverse=True) and scores[-1] < 9.5


def test_a_large_region_is_measured_on_a_pyramid_level(astronaut: np.ndarray) -> None:
    """A selfie-sized face (the sample 3x larger) with a cloak-like change: the reduced measurement
    leaves out only the finest bands, where such a change has next to nothing."""
    big = np.asarray(Image.fromarray(astronaut).resize((1536, 1536), Image.Resampling.LANCZOS))
    changed = _changed(big, 2.5, blur=6.0)
    full = region_jod(big, changed, max_side=4096)
    reduced = region_jod(big, changed)  # 1536 px: two levels down
    assert reduced == pytest.approx(full, abs=0.02)
    assert reduced >= full - 1e-3  # what it leaves out can only add visibility


def test_face_and_phone_measurements(astronaut: np.ndarray) -> None:
    big = np.asarray(Image.fromarray(astronaut).resize((2048, 2048), Image.Resampling.LANCZOS))
    changed = _changed(big, 2.5, blur=6.0)
    face = Face(box=(700.0, 300.0, 1400.0, 1100.0), landmarks=np.zeros((5, 2), np.float32), score=0.9)
    at_100 = face_jod(big, changed, face)
    on_phone = phone_jod(big, changed, face)
    assert at_100 < on_phone < 10.0  # shrunk to 1080 px on a phone, the same change is harder to see


def test_the_fast_estimate_follows_the_model(face: np.ndarray) -> None:
    clean = _tensor(face)
    view = CropVisibility(clean, DISPLAYS["4k"], DISPLAYS["4k"].ppd)
    for rms, blur in ((3.0, 0.0), (2.0, 3.0), (1.5, 6.0)):
        changed = _tensor(_changed(face, rms, blur=blur))
        exact = float(jod(changed, clean, DISPLAYS["4k"])[0])
        estimate = float(view.jod(changed)[0])
        assert exact - 0.02 <= estimate <= exact + 0.1  # it counts the masker a little generously


def test_the_fast_estimate_is_differentiable_and_pools_a_window(face: np.ndarray) -> None:
    clean = _tensor(face)
    change = torch.zeros_like(clean, requires_grad=True)
    changed = _tensor(_changed(face, 3.0, blur=2.0)) - clean
    whole = CropVisibility(clean, DISPLAYS["4k"], 60.0)
    window = CropVisibility(clean, DISPLAYS["4k"], 60.0, window=(60, 60, 180, 200))
    (10 - whole.jod(clean + changed + change)).sum().backward()
    assert change.grad is not None and change.grad.abs().sum() > 0
    changed[..., :, :60] = 0  # the change outside the window no longer counts there
    inside = float(window.jod(clean + changed)[0])
    changed[..., :60, :] += 0.02
    assert float(window.jod(clean + changed)[0]) == pytest.approx(inside, abs=0.05)


@pytest.mark.parametrize(("height", "width"), [(37, 50), (38, 51), (1031, 77)])
def test_a_large_region_is_reduced_a_band_of_rows_at_a_time(height: int, width: int) -> None:
    """The first pyramid level of a close-up's region is made band by band: the same numbers."""
    from photoguard.visibility.model import reduce, reduce_in_bands

    x = torch.rand(1, 3, height, width)
    for band in (4, 8, 512):
        assert torch.equal(reduce_in_bands(lambda r0, r1: x[..., r0:r1, :], height, band=band), reduce(x))


def test_both_views_are_held_by_the_one_closer_to_its_target(face: np.ndarray) -> None:
    """FaceVisibility answers the 4K-equivalent JOD of the view closer to its own target."""
    from photoguard.visibility.proxy import FaceVisibility

    clean = _tensor(face)
    changed = _tensor(_changed(face, 2.0, blur=3.0))
    window = (0.0, 0.0, float(face.shape[1]), float(face.shape[0]))
    both = FaceVisibility(clean, 0.5, window, 3000, (9.0, 9.0))
    monitor = float(both.monitor.jod(changed)[0])
    phone = float(both.phone.jod(changed)[0])
    assert float(both.jod(changed)[0]) == pytest.approx(min(monitor, phone), abs=1e-4)
    strict = FaceVisibility(clean, 0.5, window, 3000, (9.0, 9.5))  # a phone held higher weighs more
    expected = 10 - max(10 - monitor, (10 - phone) * (10 - 9.0) / (10 - 9.5))
    assert float(strict.jod(changed)[0]) == pytest.approx(expected, abs=1e-4)
