"""Per-pixel budget: JND ranges, the feathered face mask, eye attenuation, the hard cap."""

from __future__ import annotations

import numpy as np
import torch

from photoguard.cloak.budget import budget_map, ellipse_mask, eye_attenuation, gaussian_blur, jnd_map


def test_jnd_is_larger_in_texture_than_on_flat_grey() -> None:
    flat = torch.full((1, 3, 64, 64), 0.5)
    texture = flat.clone()
    texture[..., (torch.arange(64) // 3) % 2 == 1, :] += 0.4  # contrasty 6-pixel stripes, like hair
    assert float(jnd_map(flat).mean()) * 255 < 4.0  # about 3 levels on mid-grey (Chou & Li)
    assert float(jnd_map(texture).mean()) > 1.5 * float(jnd_map(flat).mean())


def test_jnd_adapts_to_dark_backgrounds() -> None:
    dark, grey = torch.full((1, 3, 32, 32), 0.05), torch.full((1, 3, 32, 32), 0.5)
    assert float(jnd_map(dark).mean()) > float(jnd_map(grey).mean())


def test_ellipse_mask_is_one_inside_and_zero_far_outside() -> None:
    mask = ellipse_mask((200, 200), (70, 60, 130, 140))
    assert mask.shape == (1, 1, 200, 200)
    assert float(mask[0, 0, 100, 100]) == 1.0
    assert float(mask[0, 0, 5, 5]) == 0.0
    row = mask[0, 0, 100, 100:]
    assert torch.all(row[1:] <= row[:-1] + 1e-6)  # falls off monotonically, no hard edge


def test_eye_attenuation_dips_at_the_eyes() -> None:
    landmarks = np.array([[30, 40], [70, 40], [50, 60], [35, 80], [65, 80]], dtype=np.float32)
    att = eye_attenuation((100, 100), landmarks, ratio=0.3, radius=10)
    assert abs(float(att[0, 0, 40, 30]) - 0.3) < 1e-6
    assert float(att[0, 0, 90, 50]) == 1.0


def test_budget_respects_cap_and_mask() -> None:
    rgb = torch.rand(1, 3, 120, 120)
    landmarks = np.array([[45, 50], [75, 50], [60, 65], [48, 80], [72, 80]], dtype=np.float32)
    b = budget_map(rgb, (35, 30, 85, 95), landmarks, epsilon=8, jnd_scale=10, eye_ratio=0.5)
    assert float(b.max()) <= 8 / 255 + 1e-7
    assert float(b[0, 0, 0, 0]) == 0.0


def test_gaussian_blur_preserves_constants_and_mean() -> None:
    x = torch.full((1, 2, 20, 30), 0.7)
    assert torch.allclose(gaussian_blur(x, 1.5), x, atol=1e-6)
    y = torch.rand(1, 1, 40, 40)
    assert abs(float(gaussian_blur(y, 1.0).mean() - y.mean())) < 0.01
