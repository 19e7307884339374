"""The identity cloak on real weights with tiny budgets (few steps).

Checks what a user relies on: the embedding moves, the L-infinity bound holds after rounding to
8 bits, the input is untouched, a seeded run is reproducible, and a face is cloaked the same
whether it is alone or one of several.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from photoguard.cloak.loop import perturb_iterative
from photoguard.config import PRESETS, CloakConfig, preset
from photoguard.errors import UsageError

TINY = dict(steps=4, eot_samples=1, seed=3)


def _faces(rgb: np.ndarray):
    from photoguard.faces.detect import detect_faces

    faces = detect_faces(rgb)
    assert faces, "the sample photo must have a face"
    return faces


LOOP = dict(final_step_ratio=0.2, shrink=0.08, min_scale=0.1)


def test_perturb_iterative_on_a_toy_objective() -> None:
    clean = torch.full((1, 3, 16, 16), 0.5)
    budget = torch.zeros(1, 1, 16, 16)
    budget[..., 4:12, 4:12] = 4 / 255
    target = torch.zeros_like(clean)

    def loss_fn(x: torch.Tensor, step: int) -> tuple[torch.Tensor, bool]:
        return (x - target).pow(2).mean(), False  # pull everything darker

    delta, steps = perturb_iterative(
        clean, budget, loss_fn, steps=10, step_size=0.5, momentum=0.5, epsilon=4 / 255, chroma_ratio=0.0, **LOOP
    )
    assert steps == 10
    assert float(delta[..., 6:10, 6:10].mean()) < -2 / 255  # moved, inside the budget
    assert float(delta.abs().max()) <= 4 / 255 + 1e-6
    assert float(delta[..., :4, :].abs().max()) == 0.0  # untouchable pixels stay put
    assert torch.equal(clean, torch.full((1, 3, 16, 16), 0.5))


def _toy_visibility(clean: torch.Tensor, weight: torch.Tensor):
    """A stand-in for the visibility model: visible difference = (weighted RMS of the change) ** 1.5."""

    def jod(perturbed: torch.Tensor) -> torch.Tensor:
        rms = ((perturbed - clean) * weight).pow(2).mean(dim=(1, 2, 3)).add(1e-12).sqrt() * 255
        return 10.0 - rms**1.5

    return jod


def test_the_visibility_budget_holds() -> None:
    clean = torch.full((1, 3, 16, 16), 0.5)
    budget = torch.full((1, 1, 16, 16), 8 / 255)
    visibility = _toy_visibility(clean, torch.ones(1, 1, 16, 16))
    kw = dict(steps=8, step_size=1.0, momentum=0.0, epsilon=8 / 255, chroma_ratio=0.0, **LOOP)
    free, _ = perturb_iterative(clean, budget, lambda x, s: (x.mean(), False), **kw)
    assert float(visibility(clean + free)[0]) < 9.0  # unbounded, the pull goes far past the budget
    held, _ = perturb_iterative(
        clean, budget, lambda x, s: (x.mean(), False), visibility=visibility, jod_target=9.5, **kw
    )
    assert 9.45 <= float(visibility(clean + held)[0]) <= 9.52  # on the budget: it binds, it does not zero the cloak


def test_steps_move_along_equal_visibility() -> None:
    """Where a change is cheap to see the cloak grows, where it is costly it gives way: at the same
    visibility, the loop reshapes the change instead of only scaling it."""
    clean = torch.full((1, 3, 16, 16), 0.5)
    budget = torch.full((1, 1, 16, 16), 8 / 255)
    weight = torch.ones(1, 1, 16, 16)
    weight[..., :8] = 4.0  # the left half is four times as visible
    visibility = _toy_visibility(clean, weight)
    kw = dict(steps=30, step_size=0.3, momentum=0.5, epsilon=8 / 255, chroma_ratio=0.0, **LOOP)
    delta, _ = perturb_iterative(
        clean, budget, lambda x, s: (x.mean(), False), visibility=visibility, jod_target=9.0, **kw
    )
    left, right = float(delta[..., :8].abs().mean()), float(delta[..., 8:].abs().mean())
    assert right > 3 * left  # the equal pull went where it costs least to see
    assert float(visibility(clean + delta)[0]) >= 8.98


def test_budget_shrinks_while_done_and_patience_stops_early() -> None:
    clean = torch.full((1, 3, 16, 16), 0.5)
    budget = torch.full((1, 1, 16, 16), 8 / 255)
    calls: list[int] = []

    def done_after_two(x: torch.Tensor, step: int) -> tuple[torch.Tensor, bool]:
        calls.append(step)
        return x.mean(), step >= 2

    kw = dict(step_size=0.5, momentum=0.0, epsilon=8 / 255, chroma_ratio=0.0, **LOOP)
    never, _ = perturb_iterative(clean, budget, lambda x, s: (x.mean(), False), steps=20, **kw)
    shrunk, steps = perturb_iterative(clean, budget, done_after_two, steps=20, **kw)
    assert steps == 20 and float(shrunk.abs().max()) < 0.5 * float(never.abs().max())  # DDN shrink
    calls.clear()
    _, steps = perturb_iterative(clean, budget, done_after_two, steps=20, patience=3, **kw)
    assert steps == 5 and calls == [0, 1, 2, 3, 4]  # done on steps 2, 3, 4 -> stop


def test_config_validation() -> None:
    with pytest.raises(UsageError):
        CloakConfig(epsilon=40)
    with pytest.raises(UsageError):
        CloakConfig(encoders=("arcface",), holdout="arcface")
    with pytest.raises(UsageError):
        CloakConfig(encoders=("arcface", "nosuch"))
    with pytest.raises(UsageError):
        CloakConfig(encoders=("arcface", "sface"), holdout="facenet")  # the holdout must be known
    with pytest.raises(UsageError):
        preset("extreme")
    assert preset("medium").epsilon <= 12


def test_presets_attack_registry_encoders_and_verify_with_an_unattacked_one() -> None:
    """Every preset attacks encoders of the registry and verifies with one it did not attack."""
    from photoguard.models.encoders import ENCODERS

    for name, config in PRESETS.items():
        assert set(config.encoders) <= set(ENCODERS), name
        assert config.holdout is not None and config.holdout not in config.attack_encoders, name


@pytest.fixture(scope="module")
def cloak(weights):
    from photoguard.cloak.identity import IdentityCloak

    return IdentityCloak(preset("fast").with_(**TINY))


@pytest.mark.weights
def test_embedding_moves_and_bound_holds(cloak, astronaut: np.ndarray) -> None:
    from photoguard.verify import compare_identity

    original = astronaut.copy()
    faces = _faces(astronaut)
    protected, outcomes = cloak(astronaut, faces)
    assert np.array_equal(astronaut, original)  # input untouched
    assert outcomes[0].cloaked and protected.dtype == np.uint8 and protected.shape == astronaut.shape
    diff = np.abs(protected.astype(int) - astronaut.astype(int))
    assert diff.max() <= cloak.config.epsilon  # after rounding to 8 bits
    assert diff.sum() > 0
    check = compare_identity(astronaut, protected, faces[:1], cloak.config.attack_encoders)
    for name in cloak.config.attack_encoders:
        assert check.similarity[name][0] < 0.97, f"{name} embedding did not move"


@pytest.mark.weights
def test_seeded_run_is_reproducible(cloak, astronaut: np.ndarray) -> None:
    faces = _faces(astronaut)
    a, _ = cloak(astronaut, faces)
    b, _ = cloak(astronaut, faces)
    assert np.array_equal(a, b)


@pytest.mark.weights
def test_face_alone_equals_face_among_others(cloak, astronaut: np.ndarray) -> None:
    pair = np.concatenate([astronaut, astronaut[:, ::-1]], axis=1)  # two faces, far apart
    faces = _faces(pair)
    assert len(faces) >= 2
    left = min(faces, key=lambda f: f.box[0])
    both, _ = cloak(pair, faces)
    alone, _ = cloak(pair, [left])
    half = pair.shape[1] // 2
    assert np.array_equal(both[:, :half], alone[:, :half])


@pytest.mark.weights
def test_small_faces_are_reported_not_cloaked(cloak, astronaut: np.ndarray) -> None:
    faces = _faces(astronaut)
    strict = type(cloak)(cloak.config.with_(min_face_px=10_000))
    out, outcomes = strict(astronaut, faces)
    assert not outcomes[0].cloaked and "too small" in outcomes[0].reason
    assert np.array_equal(out, astronaut)


def test_the_visibility_budget_shrinks_while_done() -> None:
    """A photo that is already protected gives visibility back, not only peak amplitude."""
    clean = torch.full((1, 3, 16, 16), 0.5)
    budget = torch.full((1, 1, 16, 16), 8 / 255)
    visibility = _toy_visibility(clean, torch.ones(1, 1, 16, 16))
    kw = dict(steps=12, step_size=1.0, momentum=0.0, epsilon=8 / 255, chroma_ratio=0.0, jod_target=9.0, **LOOP)
    working, _ = perturb_iterative(clean, budget, lambda x, s: (x.mean(), False), visibility=visibility, **kw)
    done, _ = perturb_iterative(clean, budget, lambda x, s: (x.mean(), s >= 2), visibility=visibility, **kw)
    assert 10 - float(visibility(clean + working)[0]) > 0.9
    assert 10 - float(visibility(clean + done)[0]) < 0.6 * (10 - float(visibility(clean + working)[0]))
