"""The ensemble objective on small synthetic encoders (no weights needed).

Checks what the cloak relies on: the worst encoder is always evaluated, a fooled encoder's
identity term stops pulling, the
ensemble is "done" only when every encoder is safely below its threshold, a seeded objective
replays exactly, and handed to the loop it moves every encoder's embedding away.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import Tensor, nn

from photoguard.cloak.loop import perturb_iterative
from photoguard.cloak.objective import EnsembleObjective, ObjectiveSettings, hinge_similarity_loss
from photoguard.cloak.transforms import TransformSampler
from photoguard.faces.align import ARCFACE_TEMPLATE
from photoguard.models.encoders import ENCODERS
from photoguard.models.face_encoder import FaceEncoder

NAMES = ("arcface", "sface", "faceplugin")  # 112 px ArcFace-aligned entries of the registry


class ToyNet(nn.Module):
    """Conv features (``N x 8 x 14 x 14``) and a linear embedding: a stand-in face encoder."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.conv = nn.Conv2d(3, 8, 8, stride=8)
        self.fc = nn.Linear(8 * 14 * 14, 16)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * 0.2)

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_features(x)[0]

    def forward_features(self, x: Tensor) -> tuple[Tensor, Tensor]:
        features = torch.tanh(self.conv(x))
        return self.fc(features.flatten(1)), features


def _encoders() -> dict[str, FaceEncoder]:
    return {
        name: FaceEncoder(replace(ENCODERS[name], bgr=False, scale=1.0, offset=-0.5), ToyNet(i))
        for i, name in enumerate(NAMES)
    }


def _settings(**changes: object) -> ObjectiveSettings:
    base = dict(
        eot_samples=1,
        encoders_per_step=None,
        target_margin=0.3,
        hinge_sharpness=20.0,
        feature_weight=0.5,
        done_margin=0.1,
        mirror_anchor=True,
    )
    base.update(changes)
    return ObjectiveSettings(**base)  # type: ignore[arg-type]


def _face() -> tuple[Tensor, tuple[float, float, float, float], np.ndarray]:
    crop = torch.rand(1, 3, 128, 128, generator=torch.Generator().manual_seed(0))
    landmarks = ARCFACE_TEMPLATE + 8.0  # the face sits in the middle of the crop
    return crop, (16.0, 16.0, 120.0, 120.0), landmarks


def _objective(seed: int = 0, thresholds: dict[str, float] | None = None, **changes: object) -> EnsembleObjective:
    crop, box, landmarks = _face()
    g = torch.Generator().manual_seed(seed)
    sampler = TransformSampler(
        jpeg_quality=(70.0, 95.0),
        rescale=(0.7, 1.0),
        blur_sigma=0.5,
        jitter_shift=0.02,
        jitter_angle=2.0,
        jitter_scale=0.02,
        generator=g,
    )
    limits = thresholds or {name: 0.3 for name in NAMES}
    return EnsembleObjective(
        _encoders(), limits, crop, box, landmarks, sampler=sampler, settings=_settings(**changes), generator=g
    )


def test_hinge_is_flat_below_the_target() -> None:
    clean = torch.nn.functional.normalize(torch.ones(4), dim=0)
    far = torch.nn.functional.normalize(torch.tensor([[1.0, -1.0, 1.0, -1.0]]), dim=1)  # cos 0
    loss_far, cos = hinge_similarity_loss(far, clean, target=0.5, sharpness=20.0)
    loss_same, _ = hinge_similarity_loss(clean[None], clean, target=0.5, sharpness=20.0)
    assert float(cos[0]) == pytest.approx(0.0, abs=1e-6)
    assert float(loss_far) < 1e-5 < 0.4 < float(loss_same)


def test_unevaluated_and_worst_encoders_are_chosen_first() -> None:
    objective = _objective(encoders_per_step=2)
    assert len(objective.choose()) == 2
    objective.margins = {"arcface": -0.5, "sface": 0.2, "faceplugin": -0.3}
    for _ in range(10):
        chosen = objective.choose()
        assert "sface" in chosen and len(chosen) == 2
    objective.margins["faceplugin"] = math.inf  # never evaluated: goes before everything
    assert "faceplugin" in objective.choose()


def test_done_only_when_every_encoder_is_safely_below() -> None:
    objective = _objective()
    objective.margins = {"arcface": -0.5, "sface": -0.2, "faceplugin": math.inf}
    assert not objective.done()
    objective.margins["faceplugin"] = -0.05  # below the threshold but not by done_margin
    assert not objective.done()
    objective.margins["faceplugin"] = -0.15
    assert objective.done()


def test_a_safely_fooled_encoder_stops_taking_budget() -> None:
    """Below its hinge target an encoder adds (almost) no gradient: the budget goes to the others."""
    crop, _, _ = _face()
    fooled, pulling = 5.0, -5.0  # thresholds: cosine is always far below 5 (flat hinge), far above -5

    def grad_of(thresholds: dict[str, float]) -> Tensor:
        objective = _objective(thresholds=thresholds, feature_weight=0.0, target_margin=0.0)
        x = crop.clone().requires_grad_(True)
        loss, _ = objective(x, 0)
        (grad,) = torch.autograd.grad(loss, x)
        return grad

    none = grad_of({n: fooled for n in NAMES})
    only_sface = grad_of({"arcface": fooled, "sface": pulling, "faceplugin": fooled})
    everyone = grad_of({n: pulling for n in NAMES})
    assert float(none.abs().sum()) < 1e-6 * float(only_sface.abs().sum())
    cosine = float((only_sface * everyone).sum() / (only_sface.norm() * everyone.norm()))
    assert cosine < 0.9  # the other encoders' pull changes the direction when they are not fooled


def test_seeded_objective_replays() -> None:
    crop, _, _ = _face()
    a = [float(_objective(seed=5, encoders_per_step=2)(crop, s)[0]) for s in range(1)]
    b = [float(_objective(seed=5, encoders_per_step=2)(crop, s)[0]) for s in range(1)]
    assert a == b


def test_objective_in_the_loop_moves_every_embedding_away() -> None:
    crop, box, landmarks = _face()
    objective = _objective(encoders_per_step=2, target_margin=0.5)
    budget = torch.full((1, 1, 128, 128), 8 / 255)
    delta, steps = perturb_iterative(
        crop,
        budget,
        objective,
        steps=12,
        step_size=0.5,
        momentum=0.5,
        epsilon=8 / 255,
        chroma_ratio=0.2,
        final_step_ratio=0.2,
        shrink=0.08,
        min_scale=0.1,
    )
    assert steps == 12 and float(delta.abs().max()) <= 8 / 255 + 1e-6
    check = _objective(encoders_per_step=None)
    with torch.no_grad():
        for name, enc in check.encoders.items():
            from photoguard.faces.align import warp

            before = enc(warp(crop, check.base[name], 112))[0] @ check.anchor[name]
            after = enc(warp(crop + delta, check.base[name], 112))[0] @ check.anchor[name]
            assert float(after) < float(before) - 0.02, name
    assert all(n > 0 for n in objective.evaluations.values())  # every encoder got its turn
