"""Identity losses: push each encoder's embedding of the face away from the clean one.

The loss is a soft hinge on cosine similarity: once an encoder sees the face below its
target similarity (its 0.1 %-false-accept threshold minus a margin), that encoder stops
pulling, so no pixel carries more perturbation than the protection needs.
"""

from __future__ import annotations

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
