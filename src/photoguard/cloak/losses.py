"""Identity losses: push each encoder's embedding of the face away from the clean one.

The loss is a soft hinge on cosine similarity: once an encoder sees the face below its
target similarity (its 0.1 %-false-accept threshold minus a margin), that encoder stops
pulling, so no pixel carries more perturbation than the protection needs. Optionally an
encoder that still matches (or nearly) gets extra weight (:func:`lagging_weight`), so the
shared budget goes first to the encoder that would still recognise the person; no preset uses
it (docs/cloak_experiments.md).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def hinge_similarity_loss(
    embeddings: torch.Tensor, clean: torch.Tensor, target: float, *, sharpness: float = 20.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Soft hinge ``softplus(k (cos - target)) / k`` averaged over samples.

    Args:
        embeddings: ``K x D`` unit-norm embeddings of transformed, perturbed faces.
        clean: ``D`` (or ``1 x D``) unit-norm embedding of the clean face.
        target: similarity below which the loss is (almost) zero.
        sharpness: ``k``; larger is closer to a hard hinge.

    Returns:
        ``(loss, cos)``: scalar loss and the ``K`` cosine similarities.
    """
    cos = embeddings @ clean.reshape(-1)
    loss = F.softplus(sharpness * (cos - target)).mean() / sharpness
    return loss, cos.detach()


def lagging_weight(
    cos: torch.Tensor, threshold: float, extra: float, *, window: float = 0.08, softness: float = 0.03
) -> float:
    """Weight ``1 + extra * sigmoid((max(cos) - threshold + window) / softness)`` of one encoder's loss.

    Args:
        cos: ``K`` similarities of this step's samples to the clean face (detached).
        threshold: the encoder's same-person threshold (0.1 % false accepts).
        extra: added weight for an encoder that still matches; 0 = every encoder weighs 1.
        window: how far below the threshold a sample still counts as "nearly matching".
        softness: width of the sigmoid's transition, in similarity units.

    Returns:
        A weight in ``[1, 1 + extra]``: about ``1 + extra`` while the worst sample is above
        ``threshold - window``, falling to 1 once every sample is safely below it.
    """
    if extra <= 0:
        return 1.0
    x = (float(cos.max()) - threshold + window) / softness
    return 1.0 + extra / (1.0 + math.exp(-x))
