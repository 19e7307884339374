"""The cloak's optimisation loop (a pure function) and the thin class around it.

:func:`perturb_iterative` is the whole algorithm: momentum gradient steps on a perturbation
parameterised in luma/chroma, each pixel's step scaled to its own budget and the result
projected back into it. Steps are normalised by the RMS of the momentum, not its sign, so the
perturbation gathers where the gradient is (eyes, nose, brows) instead of saturating every
pixel to the bound as sign-PGD does: the same push for much less visible energy.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

# RGB <- (Y, Cb, Cr) for offsets (JFIF), as a 3 x 3 matrix acting on the channel axis.
_YCC_TO_RGB = torch.tensor([[1.0, 0.0, 1.402], [1.0, -0.344136, -0.714136], [1.0, 1.772, 0.0]])


def ycc_to_rgb(delta: torch.Tensor) -> torch.Tensor:
    """``B x 3 x H x W`` offsets in (Y, Cb, Cr) -> offsets in RGB."""
    return torch.einsum("ij,bjhw->bihw", _YCC_TO_RGB.to(delta.device, delta.dtype), delta)


def compose(clean: torch.Tensor, delta_ycc: torch.Tensor, epsilon: float) -> torch.Tensor:
    """Perturbed crop: ``clamp(clean + clamp(rgb(delta), -eps, eps), 0, 1)``."""
    rgb = ycc_to_rgb(delta_ycc).clamp(-epsilon, epsilon)
    return (clean + rgb).clamp(0.0, 1.0)


def perturb_iterative(
    clean: torch.Tensor,
    budget: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, int], tuple[torch.Tensor, bool]],
    *,
    steps: int,
    step_size: float,
    momentum: float,
    epsilon: float,
    chroma_ratio: float,
    final_step_ratio: float,
    shrink: float,
    min_scale: float,
    energy: float | None = None,
    patience: int | None = None,
    on_step: Callable[[int, int], None] | None = None,
) -> tuple[torch.Tensor, int]:
    """Optimise a bounded perturbation of ``clean`` that minimises ``loss_fn``.

    Args:
        clean: ``1 x 3 x H x W`` crop in [0, 1] (not modified).
        budget: ``1 x 1 x H x W`` per-pixel luma budget in [0, 1] units (0 = untouchable).
        loss_fn: ``loss_fn(perturbed, step) -> (loss, done)``: a scalar to minimise and
            whether the perturbation already does its job (e.g. an
            :class:`~photoguard.cloak.objective.EnsembleObjective`); ``perturbed`` is
            ``1 x 3 x H x W`` in [0, 1] and differentiable.
        steps: number of gradient steps.
        step_size: first step, as a fraction of each pixel's budget; decays (cosine) to
            ``final_step_ratio`` of it.
        momentum: decay of the accumulated L1-normalised gradient.
        epsilon: hard L-infinity bound in RGB, [0, 1] units.
        chroma_ratio: chroma budget relative to the luma budget.
        shrink: while ``done``, the allowed budget (the per-pixel bound, and the ``energy`` ball
            by its square) shrinks by this factor per step (and grows back by it while not), as
            in DDN (Rony et al., 2019): the perturbation settles near the smallest one that still
            works instead of using the whole budget.
        min_scale: the allowed budget never shrinks below this fraction of ``budget``.
        energy: cap on the sum of squared RGB offsets over the crop ([0, 1] units), i.e. an
            L2 ball: with the per-pixel bound it fixes the PSNR the cloak may cost.
        patience: stop once ``loss_fn`` said ``done`` on this many consecutive steps (None:
            run every step); the perturbation of the last step is returned.
        on_step: called with ``(steps_run, steps)`` after each step (progress display).

    Returns:
        ``(delta, steps_run)``: the ``1 x 3 x H x W`` RGB perturbation (``perturbed - clean``),
        within ``epsilon``, and how many steps ran.
    """
    channel_budget = budget * torch.tensor([1.0, chroma_ratio, chroma_ratio], device=clean.device).view(1, 3, 1, 1)
    delta = torch.zeros_like(clean)
    velocity = torch.zeros_like(clean)
    active = (budget > 0).to(clean.dtype)
    active_count = active.sum().clamp_min(1.0)
    scale = 1.0
    streak = 0
    steps_run = 0
    for step in range(steps):
        delta.requires_grad_(True)
        loss, done = loss_fn(compose(clean, delta, epsilon), step)
        steps_run = step + 1
        if on_step is not None:
            on_step(steps_run, steps)
        streak = streak + 1 if done else 0
        if patience is not None and streak >= patience:
            delta = delta.detach()
            break
        scale = max(min_scale, scale * (1 - shrink)) if done else min(1.0, scale * (1 + shrink))
        (grad,) = torch.autograd.grad(loss, delta)
        with torch.no_grad():
            if not torch.isfinite(grad).all():
                grad = torch.nan_to_num(grad, nan=0.0, posinf=0.0, neginf=0.0)
            grad = grad * active
            velocity = momentum * velocity + grad / (grad.abs().sum() / active_count).clamp_min(1e-12)
            rms = (velocity.pow(2).sum(dim=(2, 3), keepdim=True) / active_count).sqrt().clamp_min(1e-12)
            t = step / max(steps - 1, 1)
            size = step_size * (final_step_ratio + (1 - final_step_ratio) * 0.5 * (1 + math.cos(math.pi * t)))
            delta = delta.detach() - size * channel_budget * velocity / rms
            limit = channel_budget * scale
            delta = torch.maximum(torch.minimum(delta, limit), -limit)
            if energy is not None:  # the L2 ball shrinks with the bound: a done photo spends less
                cap = energy * scale**2
                used = ycc_to_rgb(delta).pow(2).sum()
                if used > cap:
                    delta = delta * torch.sqrt(cap / used)
    with torch.no_grad():
        return compose(clean, delta, epsilon) - clean, steps_run
