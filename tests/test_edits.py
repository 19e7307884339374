"""The edit defence: config validation, the pattern's layout and budget, its effect on TAEF2, and
``protect(..., against=("identity", "edits"))``."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch

from photoguard.cloak.attack import _YCC_TO_RGB
from photoguard.edits.config import EDIT_PRESETS, EditConfig, edit_preset
from photoguard.edits.pattern import (
    PATTERN_FILE,
    PATTERN_SHA256,
    channel_budget,
    load_pattern,
    perturbation,
    protect_edits,
    tiled,
)
from photoguard.errors import ModelChecksumError, UsageError
from photoguard.imageio import to_tensor, to_uint8


def test_config_is_validated_and_presets_are_named() -> None:
    with pytest.raises(UsageError, match="epsilon"):
        EditConfig(epsilon=40)
    with pytest.raises(UsageError, match="unknown edit-defence strength"):
        edit_preset("extreme")
    assert edit_preset("medium") is EDIT_PRESETS["medium"]
    rms = [EDIT_PRESETS[n].photo_rms or 0.0 for n in ("low", "medium", "strong")]
    assert rms[0] < rms[1] < rms[2]


def test_shipped_pattern_is_checked(tmp_path) -> None:
    assert hashlib.sha256(PATTERN_FILE.read_bytes()).hexdigest() == PATTERN_SHA256
    tile = load_pattern()
    assert tile.shape[:2] == (1, 3) and tile.abs().max() <= 1.0
    bad = tmp_path / "pattern.npy"
    bad.write_bytes(PATTERN_FILE.read_bytes()[:-8] + b"\0" * 8)
    with pytest.raises(ModelChecksumError):
        load_pattern(str(bad), sha256=PATTERN_SHA256)


def test_tiled_repeats_with_offset() -> None:
    tile = torch.arange(16.0).view(1, 1, 4, 4)
    out = tiled(tile, 6, 9, offset=(1, 2))
    assert out.shape == (1, 1, 6, 9)
    assert out[0, 0, 0, 0] == tile[0, 0, 1, 2] and torch.equal(out[..., :, 0], out[..., :, 4])


def test_perturbation_stays_in_budget_and_spares_flat_areas() -> None:
    image = torch.full((1, 3, 96, 192), 0.5)
    stripes = (torch.arange(96) // 3 % 2).float().view(1, 1, 1, 96)
    image[:, :, :, 96:] = 0.3 + 0.4 * stripes  # strong texture on the right: contrast masking
    before = image.clone()
    config = EDIT_PRESETS["medium"]
    delta = perturbation(image, config)
    assert torch.equal(image, before)  # the input is not modified
    # bounded by the per-pixel (Y, Cb, Cr) budget mapped to RGB
    bound = (_YCC_TO_RGB.abs() @ torch.tensor([1.0, config.chroma_ratio, config.chroma_ratio])) * config.epsilon / 255
    assert (delta.abs().amax(dim=(0, 2, 3)) <= bound + 1e-6).all()
    flat, textured = delta[..., 8:-8, 8:88].abs().mean(), delta[..., 8:-8, 104:-8].abs().mean()
    assert flat < 0.6 * textured  # less on smooth areas (skin, sky), by the JND
    assert channel_budget(image, config).shape == (1, 3, 96, 192)


def test_pattern_is_laid_out_at_the_working_resolution() -> None:
    image = torch.full((1, 3, 512, 512), 0.5)  # flat: a constant budget, so the offsets show the layout
    t = load_pattern().shape[-1]
    native = perturbation(image, EDIT_PRESETS["medium"])
    assert torch.allclose(native[..., :, :t], native[..., :, t : 2 * t])
    # an editor working at 256 x 256 sees the tile at its own size: twice the period in the photo
    halved = perturbation(image, EDIT_PRESETS["medium"].with_(working_pixels=256 * 256))
    assert not torch.allclose(halved[..., :, :t], halved[..., :, t : 2 * t], atol=1e-4)
    inner = slice(16, 2 * t - 16)
    shifted = slice(2 * t + 16, 4 * t - 16)
    assert torch.allclose(halved[..., 16:-16, inner], halved[..., 16:-16, shifted], atol=1e-5)


def test_shipped_pattern_hurts_taef2_more_than_noise_at_the_same_budget(astronaut: np.ndarray) -> None:
    """The round trip of the protected photo after JPEG q75 is worse than the clean one by more than
    the random-noise control's (measured: benchmarks/results/edit_defence.md)."""
    from photoguard.channels import posted
    from photoguard.errors import ModelError
    from photoguard.metrics import psnr
    from photoguard.models.taef2 import load_taef2

    try:
        ae = load_taef2()
    except ModelError as exc:
        pytest.skip(f"TAEF2 weights not available: {exc}")
    image = to_tensor(astronaut)
    config = EDIT_PRESETS["strong"]
    protected = to_uint8(protect_edits(image, config))
    random_tile = torch.sign(torch.randn(load_pattern().shape, generator=torch.Generator().manual_seed(0)))
    noisy = to_uint8((image + perturbation(image, config, random_tile)).clamp(0, 1))

    def round_trip(rgb: np.ndarray) -> float:
        with torch.no_grad():
            return psnr(to_uint8(ae.decode(ae.encode(to_tensor(posted(rgb, "JPEG q75")))).clamp(0, 1)), astronaut)

    clean = round_trip(astronaut)
    assert clean - round_trip(protected) > 2 * (clean - round_trip(noisy)) + 0.5


def test_protect_adds_the_defence_and_reencodes_a_photo_without_faces(tmp_path) -> None:
    from photoguard.metrics import psnr
    from photoguard.pipeline import protect

    g = np.random.default_rng(0)
    rgb = (np.clip(g.normal(128, 30, (64, 96, 3)), 0, 255)).astype(np.uint8)  # texture, no face
    src = tmp_path / "scene.png"
    from PIL import Image

    Image.fromarray(rgb).save(src)
    result = protect(src, against=("identity", "edits"), output=f"{tmp_path}/out/", verify=False)
    assert result.edits and not result.faces
    assert result.image.shape == rgb.shape and 30 < psnr(rgb, result.image) < float("inf")
    written = np.asarray(Image.open(result.output_path).convert("RGB"))
    assert np.array_equal(written, result.image)  # the pattern is in the file (PNG: lossless)
    assert "edit defence added" in result.details
    plain = protect(src, output=f"{tmp_path}/plain/", verify=False)
    assert not plain.edits and np.array_equal(plain.image, rgb)


def test_against_is_checked() -> None:
    from photoguard.pipeline import protect

    rgb = np.zeros((32, 32, 3), np.uint8)
    with pytest.raises(UsageError, match="unknown protection"):
        protect(rgb, against=("identity", "deepfakes"))
    with pytest.raises(UsageError, match="must include 'identity'"):
        protect(rgb, against=("edits",))


def test_faces_are_left_to_the_identity_cloak() -> None:
    image = torch.full((1, 3, 128, 128), 0.5)
    box = (32.0, 32.0, 96.0, 96.0)
    delta = perturbation(image, EDIT_PRESETS["medium"], faces=[box])
    assert delta[..., 56:72, 56:72].abs().max() == 0  # the face's centre is untouched
    assert delta[..., :8, :8].abs().max() > 0  # the rest is protected


def test_cli_against_edits_changes_a_face_free_photo_and_says_so(tmp_path, capsys) -> None:
    from PIL import Image

    from photoguard.cli import main

    src = tmp_path / "scene.png"
    rgb = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(src)
    assert main(["protect", str(src), "-o", f"{tmp_path / 'out'}/", "--against", "edits"]) == 0
    out = capsys.readouterr().out
    written = np.asarray(Image.open(tmp_path / "out" / "scene.png").convert("RGB"))
    assert not np.array_equal(written, rgb)
    assert "edit defence added (photo PSNR" in out and "(edit defence added, metadata stripped)" in out
