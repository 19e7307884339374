"""TAEF2 port: the published state_dicts load strictly, shapes, and a clean photo's round trip is good."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from photoguard.imageio import to_tensor
from photoguard.models.taef2 import LATENT_CHANNELS, TinyAutoencoder, build_decoder, build_encoder, load_taef2


@pytest.fixture(scope="module")
def taef2() -> TinyAutoencoder:
    from photoguard.errors import ModelError

    try:
        return load_taef2(dtype=torch.float32)
    except ModelError as exc:
        pytest.skip(f"TAEF2 weights not available: {exc}")


def _psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    return 10 * math.log10(1.0 / float((a - b).pow(2).mean()))


def test_layers_match_the_published_state_dict_names() -> None:
    encoder, decoder = build_encoder(), build_decoder()
    assert "11.pool.1.weight" in encoder.state_dict() and "14.weight" in encoder.state_dict()
    assert "3.pool.3.weight" in decoder.state_dict() and "19.bias" in decoder.state_dict()
    assert "1.pool.0.weight" not in encoder.state_dict()  # mixers only in the last encoder stage


def test_shapes_and_errors(taef2: TinyAutoencoder) -> None:
    z = taef2.encode(torch.rand(2, 3, 48, 64))
    assert z.shape == (2, LATENT_CHANNELS, 6, 8) and z.dtype == torch.float32
    assert taef2.decode(z).shape == (2, 3, 48, 64)
    with pytest.raises(ValueError, match="multiples of 8"):
        taef2.encode(torch.rand(1, 3, 50, 64))
    with pytest.raises(ValueError, match="latents"):
        taef2.decode(torch.rand(1, 4, 6, 8))


def test_clean_round_trip_is_good_and_the_port_is_what_makes_it(taef2: TinyAutoencoder, astronaut: np.ndarray) -> None:
    x = torch.nn.functional.interpolate(to_tensor(astronaut), size=(256, 256), mode="area")
    with torch.no_grad():
        y = taef2.decode(taef2.encode(x)).clamp(0, 1)
        # the same nets with the mixers' group norm dropped: a port with a wrong block is ruined
        broken = TinyAutoencoder(build_encoder(), build_decoder())
        broken.load_state_dict(taef2.state_dict())
        for module in [*broken.encoder.modules(), *broken.decoder.modules()]:
            if isinstance(module, torch.nn.GroupNorm):
                module.forward = lambda t: t  # type: ignore[method-assign]
        y_broken = broken.decode(broken.encode(x)).clamp(0, 1)
    good = _psnr(y, x)
    assert good > 27.0  # measured 29.4 dB at 256 x 256 (31.2 dB at 512)
    assert _psnr(y_broken, x) < good - 5.0


def test_bfloat16_agrees_with_float32(taef2: TinyAutoencoder, astronaut: np.ndarray) -> None:
    fast = load_taef2(dtype=torch.bfloat16)
    x = to_tensor(astronaut)[:, :, 128:256, 128:256].contiguous()
    with torch.no_grad():
        assert _psnr(fast.decode(fast.encode(x)), taef2.decode(taef2.encode(x))) > 35.0
