"""TAEF2, the tiny autoencoder of the FLUX.2 latent space, in PyTorch.

A TAESD-style pair of plain conv nets (madebyollin/taesd, MIT), written here from the shapes of
the published ``state_dict``\\ s so that they load with ``strict=True``:

- encoder: RGB in [0, 1], ``N x 3 x H x W`` (H, W multiples of 8) -> ``N x 32 x H/8 x W/8`` raw
  FLUX.2 latents. Full resolution: conv 3->64 and one block; then three times a stride-2 conv
  and three blocks (the last three with a channel mixer), then conv 64->32.
- decoder: latents -> RGB, roughly in [0, 1]: soft clamp ``3 tanh(z / 3)``, conv 32->64, three
  blocks with mixer, then three times nearest 2x upsampling, a conv and blocks, then conv 64->3.

A block is ``relu(conv3(relu(conv2(relu(conv1(x))))) + x)``, 3x3 convs with 64 channels; a
block with a mixer first adds ``conv1x1(relu(groupnorm(conv1x1(x))))`` (64 -> 256 -> 64) to
its input. Both networks are frozen and in eval mode once loaded.
"""

from __future__ import annotations

import threading

import torch
from torch import Tensor, nn

from photoguard.models.store import find_model

#: Latent channels and the encoder's downsampling factor.
LATENT_CHANNELS = 32
DOWNSAMPLE = 8
_WIDTH = 64
_MIXER_WIDTH = 4 * _WIDTH
_MIXER_GROUPS = 4


def _conv(c_in: int, c_out: int, *, stride: int = 1, bias: bool = True) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=bias)


class Block(nn.Module):
    """Residual block of three 3x3 convs, with an optional 1x1 channel mixer on its input."""

    def __init__(self, *, mixer: bool = False) -> None:
        super().__init__()
        self.conv = nn.Sequential(
            _conv(_WIDTH, _WIDTH), nn.ReLU(), _conv(_WIDTH, _WIDTH), nn.ReLU(), _conv(_WIDTH, _WIDTH)
        )
        # The published weights call the mixer ``pool``.
        self.pool = (
            nn.Sequential(
                nn.Conv2d(_WIDTH, _MIXER_WIDTH, 1, bias=False),
                nn.GroupNorm(_MIXER_GROUPS, _MIXER_WIDTH),
                nn.ReLU(),
                nn.Conv2d(_MIXER_WIDTH, _WIDTH, 1, bias=False),
            )
            if mixer
            else None
        )

    def forward(self, x: Tensor) -> Tensor:
        if self.pool is not None:
            x = x + self.pool(x)
        return torch.relu(self.conv(x) + x)


class SoftClamp(nn.Module):
    """``3 tanh(z / 3)``: keeps decoder input latents within about +-3."""

    def forward(self, z: Tensor) -> Tensor:
        return torch.tanh(z / 3.0) * 3.0


def build_encoder() -> nn.Sequential:
    """The TAEF2 encoder's layers, indexed as in ``taef2_encoder.pth``."""
    layers: list[nn.Module] = [_conv(3, _WIDTH), Block()]
    for stage in range(3):
        layers.append(_conv(_WIDTH, _WIDTH, stride=2, bias=False))
        layers += [Block(mixer=stage == 2) for _ in range(3)]
    layers.append(_conv(_WIDTH, LATENT_CHANNELS))
    return nn.Sequential(*layers)


def build_decoder() -> nn.Sequential:
    """The TAEF2 decoder's layers, indexed as in ``taef2_decoder.pth``."""
    layers: list[nn.Module] = [SoftClamp(), _conv(LATENT_CHANNELS, _WIDTH), nn.ReLU()]
    layers += [Block(mixer=True) for _ in range(3)]
    for blocks in (3, 3, 1):
        layers += [nn.Upsample(scale_factor=2, mode="nearest"), _conv(_WIDTH, _WIDTH, bias=False)]
        layers += [Block() for _ in range(blocks)]
    layers.append(_conv(_WIDTH, 3))
    return nn.Sequential(*layers)


class TinyAutoencoder(nn.Module):
    """TAEF2 encoder and decoder, frozen.

    ``dtype`` is the compute type: ``torch.bfloat16`` runs about 3-4x faster on CPUs with AMX /
    AVX-512 BF16 (channels-last layout), float32 elsewhere. Inputs and outputs are float32.

    Example (models fetched):
        >>> ae = load_taef2()
        >>> x = torch.rand(1, 3, 64, 64)
        >>> ae.encode(x).shape, ae.decode(ae.encode(x)).shape
        (torch.Size([1, 32, 8, 8]), torch.Size([1, 3, 64, 64]))
    """

    def __init__(self, encoder: nn.Sequential, decoder: nn.Sequential, dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.compute_dtype = dtype
        self.to(dtype=dtype)
        self.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # untyped keyword of Module.to
        self.eval()
        for p in self.parameters():
            p.requires_grad_(False)

    def _run(self, net: nn.Sequential, x: Tensor) -> Tensor:
        x = x.to(self.compute_dtype).contiguous(memory_format=torch.channels_last)
        return net(x).float()

    def encode(self, rgb: Tensor) -> Tensor:
        """``N x 3 x H x W`` RGB in [0, 1] (H, W multiples of 8) -> ``N x 32 x H/8 x W/8`` latents."""
        if rgb.dim() != 4 or rgb.shape[1] != 3 or rgb.shape[-1] % DOWNSAMPLE or rgb.shape[-2] % DOWNSAMPLE:
            raise ValueError(f"expected N x 3 x H x W with H, W multiples of {DOWNSAMPLE}, got {tuple(rgb.shape)}")
        return self._run(self.encoder, rgb)

    def decode(self, latents: Tensor) -> Tensor:
        """``N x 32 x h x w`` latents -> ``N x 3 x 8h x 8w`` RGB (not clamped; about [0, 1])."""
        if latents.dim() != 4 or latents.shape[1] != LATENT_CHANNELS:
            raise ValueError(f"expected N x {LATENT_CHANNELS} x h x w latents, got {tuple(latents.shape)}")
        return self._run(self.decoder, latents)


def _state_dict(name: str) -> dict[str, Tensor]:
    state = torch.load(find_model(name), map_location="cpu", weights_only=True)
    return {key: value.float() for key, value in state.items()}


_cache: dict[tuple[str, torch.dtype], TinyAutoencoder] = {}
_lock = threading.Lock()


def fast_dtype() -> torch.dtype:
    """bfloat16 where the CPU has native BF16 matrix units (AMX / AVX-512 BF16), else float32."""
    try:
        capability = torch.backends.cpu.get_cpu_capability()
    except AttributeError:  # pragma: no cover - older torch
        return torch.float32
    return torch.bfloat16 if "AVX512" in capability and torch.ops.mkldnn._is_mkldnn_bf16_supported() else torch.float32


def load_taef2(device: str | torch.device = "cpu", dtype: torch.dtype | None = None) -> TinyAutoencoder:
    """TAEF2 on ``device`` (cached per device and dtype; do not modify it).

    Args:
        device: where it runs.
        dtype: compute type; None: :func:`fast_dtype` on CPU, float32 elsewhere.

    Raises:
        ModelNotFoundError, ModelChecksumError: ``taef2_encoder`` / ``taef2_decoder`` missing or corrupt.
    """
    device = torch.device(device)
    dtype = dtype or (fast_dtype() if device.type == "cpu" else torch.float32)
    key = (str(device), dtype)
    with _lock:
        if key not in _cache:
            encoder, decoder = build_encoder(), build_decoder()
            encoder.load_state_dict(_state_dict("taef2_encoder"), strict=True)
            decoder.load_state_dict(_state_dict("taef2_decoder"), strict=True)
            _cache[key] = TinyAutoencoder(encoder, decoder, dtype).to(device)
        return _cache[key]
