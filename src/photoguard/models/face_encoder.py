# mypy: disable-error-code="operator, list-item, assignment"
# (torch types an nn.Module attribute as "Tensor | Module"; this module reads its layers that way)
"""Frozen identity encoders behind one interface: aligned faces in [0, 1] -> unit-norm embeddings.

Example:
    >>> enc = load_encoder("arcface")
    >>> faces = torch.rand(2, 3, 112, 112, requires_grad=True)
    >>> emb = enc(faces)                       # 2 x 512, unit norm
    >>> (emb[0] @ emb[1]).backward()           # faces.grad is 2 x 3 x 112 x 112
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from photoguard.models.encoders import EncoderSpec, encoder_spec
from photoguard.models.store import find_model


class FaceEncoder(nn.Module):
    """A frozen identity encoder: aligned RGB faces in [0, 1] -> unit-norm embeddings.

    The wrapper does the network's own input convention (channel order, value range), so
    callers always pass RGB in [0, 1]. Parameters never require gradients and the network stays
    in eval mode (``train()`` is a no-op), but gradients flow to the input. Nothing is ever
    registered on the network, so one cached encoder can serve several cloaks at once.

    Args:
        spec: the encoder's registry entry.
        net: the network (see :attr:`EncoderSpec.builder` for what it must offer).
    """

    def __init__(self, spec: EncoderSpec, net: nn.Module):
        super().__init__()
        self.spec = spec
        self.net = net
        self.net.eval()
        self.requires_grad_(False)

    def train(self, mode: bool = True) -> FaceEncoder:
        """Frozen encoders stay in eval mode (BatchNorm running statistics are never updated)."""
        return super().train(False)

    def _prepare(self, faces: Tensor) -> Tensor:
        size = self.spec.input_size
        if faces.ndim != 4 or faces.shape[1] != 3 or faces.shape[2:] != (size, size):
            raise ValueError(f"{self.spec.name} expects N x 3 x {size} x {size} faces, got {tuple(faces.shape)}")
        if self.spec.bgr:
            faces = faces.flip(1)
        return faces * self.spec.scale + self.spec.offset

    def forward(self, faces: Tensor) -> Tensor:
        """Embed aligned faces.

        Args:
            faces: ``N x 3 x S x S`` RGB float in [0, 1], aligned/cropped at ``spec.input_size``
                as ``spec.crop`` says.

        Returns:
            ``N x D`` float embeddings, L2-normalised along ``D``.

        Raises:
            ValueError: ``faces`` is not ``N x 3 x S x S``.
        """
        return F.normalize(self.net(self._prepare(faces)), p=2, dim=1)

    def embed_with_features(self, faces: Tensor) -> tuple[Tensor, Tensor]:
        """Embeddings and the mid-level feature maps of the same pass.

        Returns:
            ``(N x D unit-norm embeddings, N x C x h x w features)``.
        """
        embedding, features = self.net.forward_features(self._prepare(faces))
        return F.normalize(embedding, p=2, dim=1), features


_cache: dict[tuple[str, str], FaceEncoder] = {}
_lock = threading.Lock()


def _builder(spec: EncoderSpec) -> Callable[[Path], nn.Module]:
    module, function = spec.builder.split(":")
    return getattr(importlib.import_module(module), function)


def load_encoder(name: str, device: str | torch.device = "cpu") -> FaceEncoder:
    """The encoder ``name`` on ``device``, in eval mode with frozen parameters.

    Cached (thread-safe): the same ``(name, device)`` returns the same object, so do not modify
    it; :func:`release_encoders` drops the cache.

    Raises:
        UsageError: unknown ``name``.
        ModelNotFoundError, ModelChecksumError: a weight file is missing or corrupt.
    """
    spec = encoder_spec(name)
    key = (name, str(torch.device(device)))
    with _lock:
        if key not in _cache:
            paths = [find_model(weights) for weights in spec.weights]
            _cache[key] = FaceEncoder(spec, _builder(spec)(paths[0])).to(key[1])
        return _cache[key]


def release_encoders() -> None:
    """Forget every cached encoder (frees their memory, GPU memory included, once unreferenced)."""
    with _lock:
        _cache.clear()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
