"""Differentiable alignment: agreement with cv2.warpAffine, anti-aliasing, gradients, jitter."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from photoguard.faces.align import (
    ARCFACE_TEMPLATE,
    arcface_matrix,
    jitter_matrices,
    margin_crop_matrix,
    similarity_transform,
    warp,
)


def test_similarity_transform_recovers_known_transform() -> None:
    angle, scale, t = 0.3, 1.7, np.array([12.0, -5.0])
    rot = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    src = np.random.default_rng(0).uniform(0, 100, (5, 2))
    dst = src @ rot.T + t
    m = similarity_transform(src, dst)
    assert np.allclose(m[:, :2], rot, atol=1e-9) and np.allclose(m[:, 2], t, atol=1e-9)


def test_template_maps_to_itself() -> None:
    assert np.allclose(arcface_matrix(ARCFACE_TEMPLATE), [[1, 0, 0], [0, 1, 0]], atol=1e-9)


def test_matches_cv2_without_antialias() -> None:
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (200, 240, 3), dtype=np.uint8)
    landmarks = ARCFACE_TEMPLATE * 1.4 + [30, 20]
    m = arcface_matrix(landmarks)
    ref = cv2.warpAffine(img, m, (112, 112), flags=cv2.INTER_LINEAR, borderValue=0).astype(np.float64)
    x = torch.from_numpy(img).permute(2, 0, 1)[None].double()
    ours = warp(x, torch.from_numpy(m[None]), 112, antialias=False)[0].permute(1, 2, 0).numpy()
    assert np.abs(ours - ref).max() < 1.0  # cv2 rounds to uint8 and uses fixed-point weights


def test_margin_crop_covers_box_with_margin() -> None:
    m = margin_crop_matrix((100, 50, 200, 170), 160, 0.25)
    # Pixel centres sit at integers, so the square's edges are half a pixel outside them.
    corners = np.array([[150 - 75 - 0.5, 110 - 75 - 0.5, 1], [150 + 75 - 0.5, 110 + 75 - 0.5, 1]], dtype=np.float64)
    out = corners @ m.T
    assert np.allclose(out, [[-0.5, -0.5], [159.5, 159.5]], atol=1e-6)


def test_antialias_reads_every_pixel_of_a_large_face() -> None:
    x = torch.rand(1, 3, 600, 600, requires_grad=True)
    m = torch.tensor([[[112 / 600, 0.0, 0.0], [0.0, 112 / 600, 0.0]]], dtype=torch.float32)
    warp(x, m, 112).sum().backward()
    inner = x.grad[0, 0, 5:-5, 5:-5]
    assert (inner != 0).float().mean() > 0.99
    x.grad = None
    warp(x, m, 112, antialias=False).sum().backward()
    assert (x.grad[0, 0, 5:-5, 5:-5] != 0).float().mean() < 0.2  # what plain bilinear would do


def test_antialiased_warp_is_a_local_mean() -> None:
    x = torch.full((1, 3, 400, 400), 0.25)
    x[..., ::2, :] = 0.75  # a stripe pattern plain sampling would alias
    m = torch.tensor([[[0.25, 0.0, 0.0], [0.0, 0.25, 0.0]]])
    out = warp(x, m, 90)
    assert torch.allclose(out[..., 2:-2, 2:-2], torch.tensor(0.5), atol=0.02)


def test_batch_and_broadcast() -> None:
    x = torch.rand(1, 3, 120, 120)
    m = torch.tensor(np.stack([arcface_matrix(ARCFACE_TEMPLATE), margin_crop_matrix((10, 10, 100, 100), 112)]))
    batch = warp(x, m.float(), 112)
    single = torch.cat([warp(x, m[i : i + 1].float(), 112) for i in range(2)])
    assert torch.allclose(batch, single)


def test_rejects_bad_shapes() -> None:
    with pytest.raises(ValueError):
        warp(torch.rand(3, 10, 10), torch.zeros(1, 2, 3), 8)
    with pytest.raises(ValueError):
        warp(torch.rand(2, 3, 10, 10), torch.zeros(3, 2, 3), 8)


def test_gradcheck() -> None:
    x = torch.rand(1, 1, 12, 12, dtype=torch.float64, requires_grad=True)
    m = torch.tensor([[[0.45, 0.05, 1.0], [-0.05, 0.45, 0.5]]], dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda t: warp(t, m, 6), (x,), eps=1e-6, atol=1e-5)


def test_jitter_identity_and_rotation() -> None:
    m = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]], dtype=torch.float64)
    same = jitter_matrices(
        m,
        112,
        shift=torch.zeros(1, 2, dtype=torch.float64),
        angle=torch.zeros(1, dtype=torch.float64),
        scale=torch.ones(1, dtype=torch.float64),
    )
    assert torch.allclose(same, m)
    turned = jitter_matrices(
        m,
        112,
        shift=torch.zeros(1, 2, dtype=torch.float64),
        angle=torch.tensor([0.1], dtype=torch.float64),
        scale=torch.ones(1, dtype=torch.float64),
    )
    centre = torch.tensor([55.5, 55.5, 1.0], dtype=torch.float64)
    assert torch.allclose(turned[0] @ centre, centre[:2])  # rotation about the output centre
