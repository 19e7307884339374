"""The identity cloak on real weights with tiny budgets (few steps).

Checks what a user relies on: the embedding moves, the L-infinity bound holds after rounding to
8 bits, the input is untouched, a seeded run is reproducible, and a face is cloaked the same
whether it is alone or one of several.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from photoguard.cloak.attack import perturb_iterative
from photoguard.config import CloakConfig, preset
from photoguard.errors import UsageError
from photoguard.imageio import to_tensor, to_uint8

TINY = dict(steps=4, eot_samples=1, seed=3)


def _faces(rgb: np.ndarray):
    from photoguard.faces.detect import detect_faces

    faces = detect_faces(rgb)
    assert faces, "the sample photo must have a face"
    return faces


def test_perturb_iterative_on_a_toy_objective() -> None:
    clean = torch.full((1, 3, 16, 16), 0.5)
    budget = torch.zeros(1, 1, 16, 16)
    budget[..., 4:12, 4:12] = 4 / 255
    target = torch.zeros_like(clean)

    def loss_fn(x: torch.Tensor, step: int) -> tuple[torch.Tensor, bool]:
        return (x - target).pow(2).mean(), False  # pull everything darker

    delta = perturb_iterative(clean, budget, loss_fn, steps=10, step_size=0.5, momentum=0.5, epsilon=4 / 255, chroma_ratio=0.0)
    assert float(delta[..., 6:10, 6:10].mean()) < -2 / 255  # moved, inside the budget
    assert float(delta.abs().max()) <= 4 / 255 + 1e-6
    assert float(delta[..., :4, :].abs().max()) == 0.0  # untouchable pixels stay put
    assert torch.equal(clean, torch.full((1, 3, 16, 16), 0.5))


def test_balanced_losses_move_each_surrogate_alike() -> None:
    """A list of losses (one per surrogate): each gradient is normalised before they are added,
    so a steep loss cannot drown a shallow one; summed, it does."""
    clean = torch.full((1, 3, 16, 16), 0.5)
    budget = torch.full((1, 1, 16, 16), 4 / 255)

    def losses(x: torch.Tensor, step: int):
        return [1000 * x[..., :, :8].mean(), x[..., :, 8:].mean()], False  # both pull darker

    def summed(x: torch.Tensor, step: int):
        parts, done = losses(x, step)
        return parts[0] + parts[1], done

    kw = dict(steps=5, step_size=0.5, momentum=0.0, epsilon=4 / 255, chroma_ratio=0.0)
    balanced = perturb_iterative(clean, budget, losses, **kw)
    plain = perturb_iterative(clean, budget, summed, **kw)
    assert float(balanced[..., 8:].mean()) < 0.5 * float(balanced[..., :8].mean())  # both halves moved
    assert abs(float(plain[..., 8:].mean())) < 0.01 * abs(float(plain[..., :8].mean()))


def test_lagging_weight_favours_the_encoder_that_still_matches() -> None:
    from photoguard.cloak.losses import lagging_weight

    threshold = 0.26
    still_matching = lagging_weight(torch.tensor([0.1, 0.35]), threshold, 2.0)  # one sample above
    nearly = lagging_weight(torch.tensor([0.22, 0.2]), threshold, 2.0)  # within the window
    safe = lagging_weight(torch.tensor([-0.1, 0.0]), threshold, 2.0)
    assert 2.9 < still_matching <= 3.0
    assert safe < 1.01
    assert safe < nearly < still_matching
    assert lagging_weight(torch.tensor([0.9]), threshold, 0.0) == 1.0  # off


def test_config_validation() -> None:
    with pytest.raises(UsageError):
        CloakConfig(epsilon=40)
    with pytest.raises(UsageError):
        CloakConfig(encoders=("arcface",), holdout="arcface")
    with pytest.raises(UsageError):
        preset("extreme")
    with pytest.raises(UsageError):
        CloakConfig(lagging_weight=2.0, balance_encoders=True)  # balancing would undo the weights
    assert preset("medium").epsilon <= 12


@pytest.fixture(scope="module")
def cloak(weights):
    from photoguard.cloak.identity import IdentityCloak

    return IdentityCloak(preset("fast").with_(**TINY))


@pytest.mark.weights
def test_embedding_moves_and_bound_holds(cloak, astronaut: np.ndarray) -> None:
    from photoguard.verify import compare_identity

    original = astronaut.copy()
    image = to_tensor(astronaut)
    before = image.clone()
    faces = _faces(astronaut)
    out, outcomes = cloak(image, faces)
    assert torch.equal(image, before) and np.array_equal(astronaut, original)  # input untouched
    assert outcomes[0].cloaked
    protected = to_uint8(out)
    diff = np.abs(protected.astype(int) - astronaut.astype(int))
    assert diff.max() <= cloak.config.epsilon  # after rounding to 8 bits
    assert diff.sum() > 0
    check = compare_identity(astronaut, protected, faces[:1], cloak.config.attack_encoders)
    for name in cloak.config.attack_encoders:
        assert check.similarity[name][0] < 0.97, f"{name} embedding did not move"


@pytest.mark.weights
def test_feature_importance_is_seeded_unit_weights(weights, astronaut: np.ndarray) -> None:
    from photoguard.cloak.identity import embed
    from photoguard.cloak.surrogates import capture, feature_importance, feature_layer
    from photoguard.faces.align import warp
    from photoguard.models.encoders import encoder_matrix, load_encoder

    face = _faces(astronaut)[0]
    enc = load_encoder("arcface")
    image = to_tensor(astronaut)
    m = torch.tensor(encoder_matrix("arcface", face.box, face.landmarks)[None], dtype=image.dtype)
    aligned = warp(image, m, enc.spec.input_size)
    anchor = embed({"arcface": enc}, image, face.box, face.landmarks)["arcface"]
    w = feature_importance(enc, aligned, anchor, copies=4, generator=torch.Generator().manual_seed(1))
    again = feature_importance(enc, aligned, anchor, copies=4, generator=torch.Generator().manual_seed(1))
    store: list[torch.Tensor] = []
    with torch.no_grad(), capture(feature_layer(enc), store):
        enc(aligned)
    assert w.shape == store[0].shape[1:] and not w.requires_grad
    assert torch.equal(w, again) and abs(float(w.norm()) - 1) < 1e-5
    assert float((w * store[0][0]).sum()) > 0  # the clean face's features point the way of its identity


@pytest.mark.weights
def test_cloak_with_feature_importance_and_balance_moves_embedding(weights, astronaut: np.ndarray) -> None:
    from photoguard.cloak.identity import IdentityCloak
    from photoguard.verify import compare_identity

    config = preset("medium").with_(steps=3, eot_samples=1, feature_copies=2, balance_encoders=True)
    faces = _faces(astronaut)
    out, _ = IdentityCloak(config)(to_tensor(astronaut), faces)
    protected = to_uint8(out)
    assert np.abs(protected.astype(int) - astronaut.astype(int)).max() <= config.epsilon
    check = compare_identity(astronaut, protected, faces[:1], config.attack_encoders)
    for name in config.attack_encoders:
        assert check.similarity[name][0] < 0.97, f"{name} embedding did not move"


@pytest.mark.weights
def test_seeded_run_is_reproducible(cloak, astronaut: np.ndarray) -> None:
    faces = _faces(astronaut)
    a, _ = cloak(to_tensor(astronaut), faces)
    b, _ = cloak(to_tensor(astronaut), faces)
    assert torch.equal(a, b)


@pytest.mark.weights
def test_face_alone_equals_face_among_others(cloak, astronaut: np.ndarray) -> None:
    pair = np.concatenate([astronaut, astronaut[:, ::-1]], axis=1)  # two faces, far apart
    faces = _faces(pair)
    assert len(faces) >= 2
    left = min(faces, key=lambda f: f.box[0])
    both, _ = cloak(to_tensor(pair), faces)
    alone, _ = cloak(to_tensor(pair), [left])
    half = pair.shape[1] // 2
    assert torch.equal(both[..., :half], alone[..., :half])


@pytest.mark.weights
def test_small_faces_are_reported_not_cloaked(cloak, astronaut: np.ndarray) -> None:
    faces = _faces(astronaut)
    strict = type(cloak)(cloak.config.with_(min_face_px=10_000))
    out, outcomes = strict(to_tensor(astronaut), faces)
    assert not outcomes[0].cloaked and "too small" in outcomes[0].reason
    assert torch.equal(out, to_tensor(astronaut))
