"""More diverse surrogates from the encoders we have ("ghost networks", Li et al. 2020).

A perturbation tuned to one exact network overfits it. Randomly re-weighting each residual
branch (and, for networks without residuals, each depthwise layer's channels) at every
forward pass turns one encoder into a family of close relatives; a cloak that fools the whole
family transfers better to encoders it has never seen. The draws come from the caller's
seeded generator, so runs stay reproducible.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from photoguard.models.arcface import DepthWise
from photoguard.models.facenet import Block8, Block17, Block35
from photoguard.models.sface import SFaceNet


def _branches(net: nn.Module) -> list[nn.Module]:
    """The sub-modules whose outputs get re-weighted: residual branches, else depthwise convs."""
    found: list[nn.Module] = []
    for module in net.modules():
        if isinstance(module, DepthWise) and module.residual:
            found.append(module.project)
        elif isinstance(module, (Block35, Block17, Block8)):
            found.append(module.conv2d)
    if not found and isinstance(net, SFaceNet):
        found = [m for m in net.modules() if isinstance(m, nn.Conv2d) and m.groups > 1]
    return found


@contextmanager
def ghost(encoder: nn.Module, strength: float, generator: torch.Generator) -> Iterator[None]:
    """Within the block, every forward pass of ``encoder`` uses randomly re-weighted branches.

    Args:
        encoder: a :class:`~photoguard.models.encoders.FaceEncoder` (or its network).
        strength: branch outputs are scaled by ``U(1 - strength, 1 + strength)`` per channel;
            0 disables the effect.
        generator: random source for the scales.
    """
    if strength <= 0:
        yield
        return
    handles = []

    def hook(module: nn.Module, inputs: tuple, output: torch.Tensor) -> torch.Tensor:
        scale = 1.0 + strength * (2.0 * torch.rand(output.shape[1], generator=generator) - 1.0)
        return output * scale.to(output.device, output.dtype).view(1, -1, 1, 1)

    try:
        for module in _branches(encoder):
            handles.append(module.register_forward_hook(hook))
        yield
    finally:
        for handle in handles:
            handle.remove()


def feature_layer(encoder: nn.Module) -> nn.Module:
    """A mid-level layer (14 x 14 or 17 x 17 maps) whose features the cloak also disrupts.

    Mid-level features are shared more widely between networks than final embeddings, so
    pushing them away from the clean face's transfers better (Ganeshan et al., FDA, 2019).
    """
    net = getattr(encoder, "net", encoder)
    if hasattr(net, "down2"):  # ArcFace MobileFaceNet
        return net.down2
    if hasattr(net, "repeat_1"):  # FaceNet Inception-ResNet-v1
        return net.repeat_1
    if isinstance(net, SFaceNet):
        return net.body[len(net.body) // 2]
    raise ValueError(f"no feature layer known for {type(net).__name__}")


def feature_importance(
    encoder: nn.Module,
    aligned: torch.Tensor,
    anchor: torch.Tensor,
    *,
    copies: int,
    drop: float = 0.3,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Which mid-level features carry this face's identity for ``encoder`` (FIA, Wang et al. 2021).

    The gradient of the identity similarity with respect to :func:`feature_layer`'s output,
    averaged over ``copies`` versions of the face with a random share ``drop`` of its pixels
    zeroed: the averaging washes out what is specific to this network's exact weights and
    keeps the features that any face encoder relies on, so a cloak that suppresses them
    transfers better than one that only moves the embedding.

    Args:
        encoder: a :class:`~photoguard.models.encoders.FaceEncoder`.
        aligned: ``1 x 3 x S x S`` aligned clean face in [0, 1] (the encoder's input size).
        anchor: ``D`` unit-norm identity embedding the similarity is taken to.
        copies: random pixel-drop copies averaged (one batched forward and backward pass).
        drop: share of pixels zeroed in each copy.
        generator: random source for the drop masks.

    Returns:
        ``C x h x w`` weights with unit L2 norm (no gradient attached).
    """
    keep = (torch.rand((copies, 1, *aligned.shape[-2:]), generator=generator) >= drop).to(aligned)
    masked = (aligned.detach() * keep).requires_grad_(True)
    store: list[torch.Tensor] = []
    with torch.enable_grad(), capture(feature_layer(encoder), store):
        similarity = (encoder(masked) @ anchor.reshape(-1)).sum()
        (grad,) = torch.autograd.grad(similarity, store[0])
    weights = grad.mean(0)
    return weights / weights.norm().clamp_min(1e-12)


@contextmanager
def capture(module: nn.Module, store: list[torch.Tensor]) -> Iterator[None]:
    """Append ``module``'s output to ``store`` on every forward pass inside the block."""
    handle = module.register_forward_hook(lambda m, i, o: store.append(o))
    try:
        yield
    finally:
        handle.remove()
