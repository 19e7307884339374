"""The cloak's step for one crop: :class:`IterativePerturbation`, the state and update of a
bounded perturbation, driven by the loop (:mod:`photoguard.cloak.loop`).

A step is a momentum gradient step on a perturbation parameterised in luma/chroma, each pixel's
step scaled to its own budget and the result projected back into it. Steps are normalised by the
RMS of the momentum, not its sign, so the perturbation gathers where the gradient is (eyes, nose,
brows) instead of saturating every pixel to the bound as sign-PGD does.

Visibility is the budget: given a model of how visible the change is (``visibility``: the JOD of a
perturbed crop, :class:`~photoguard.visibility.proxy.CropVisibility`), every step is scaled back
onto ``jod_target`` when it went past it, and once the change is near that budget the step loses
its component along the gradient of the visible difference (it moves along the surface of equal
visibility): the perturbation keeps reshaping itself towards what the encoders see and the eye
does not (texture that masks it, frequencies and colours the eye is less sensitive to), instead of
only growing where the gradient points. On 6 faces at the same measured JOD this doubled the
energy the cloak could spend (face PSNR 42.1 -> 38.3 dB at JOD 9.4) and turned 3 of 6 matched
faces into protected ones (docs/cloak_v3.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

#: The visible difference (``10 - JOD``) grows about as the change's amplitude to this power
#: (measured on scaled cloaks: 1.4-2.1; the lower end, so one scaling lands at or under the budget).
GROWTH = 1.5

# RGB <- (Y, Cb, Cr) for offsets (JFIF), as a 3 x 3 matrix acting on the channel axis.
_YCC_TO_RGB = torch.tensor([[1.0, 0.0, 1.402], [1.0, -0.344136, -0.714136], [1.0, 1.772, 0.0]])


def ycc_to_rgb(delta: torch.Tensor) -> torch.Tensor:
    """``B x 3 x H x W`` offsets in (Y, Cb, Cr) -> offsets in RGB."""
    return torch.einsum("ij,bjhw->bihw", _YCC_TO_RGB.to(delta.device, delta.dtype), delta)


def compose(clean: torch.Tensor, delta_ycc: torch.Tensor, epsilon: float) -> torch.Tensor:
    """Perturbed crop: ``clamp(clean + clamp(rgb(delta), -eps, eps), 0, 1)``."""
    rgb = ycc_to_rgb(delta_ycc).clamp(-epsilon, epsilon)
    return (clean + rgb).clamp(0.0, 1.0)


class IterativePerturbation:
    """The state of one crop's perturbation, stepped by the loop (:func:`photoguard.cloak.loop.step_faces`).

    A step is :meth:`perturbed` (the differentiable input of the loss), :meth:`record` (the loss's
    ``done``: whether the loop goes on) and, when it does, :meth:`update` with the gradient of the
    loss with respect to :attr:`delta`; :meth:`result` is the perturbation at the end.

    Args:
        clean: ``1 x 3 x H x W`` crop in [0, 1] (not modified).
        budget: ``1 x 1 x H x W`` per-pixel luma budget in [0, 1] units (0 = untouchable).
        steps: number of gradient steps.
        step_size: first step, as a fraction of each pixel's budget; decays (cosine) to
            ``final_step_ratio`` of it.
        momentum: decay of the accumulated L1-normalised gradient.
        epsilon: hard L-infinity bound in RGB, [0, 1] units.
        chroma_ratio: chroma budget relative to the luma budget.
        shrink: while ``done``, the allowed budget (the per-pixel bound, and the visible
            difference ``10 - jod_target`` as its :data:`GROWTH` power) shrinks by this factor per
            step (and grows back by it while not), as in DDN (Rony et al., 2019): the perturbation
            settles near the smallest one that still works instead of using the whole budget.
        min_scale: the allowed budget never shrinks below this fraction of ``budget``.
        visibility: ``visibility(perturbed) -> B`` JODs of ``B x 3 x H x W`` perturbed crops
            (differentiable; 10 = no visible difference), or None for the per-pixel bound alone.
        jod_target: the lowest JOD the perturbation may reach.
        patience: stop once the loss said ``done`` on this many consecutive steps (None: run
            every step); the perturbation of the last step is returned.
        on_step: called with ``(steps_run, steps)`` after each step (progress display).
    """

    def __init__(
        self,
        clean: torch.Tensor,
        budget: torch.Tensor,
        *,
        steps: int,
        step_size: float,
        momentum: float,
        epsilon: float,
        chroma_ratio: float,
        final_step_ratio: float,
        shrink: float,
        min_scale: float,
        visibility: Callable[[torch.Tensor], torch.Tensor] | None = None,
        jod_target: float = 9.5,
        patience: int | None = None,
        on_step: Callable[[int, int], None] | None = None,
    ) -> None:
        self.visibility = visibility
        self.jod_target = jod_target
        self.clean = clean
        self.steps = steps
        self.step_size = step_size
        self.momentum = momentum
        self.epsilon = epsilon
        self.final_step_ratio = final_step_ratio
        self.shrink = shrink
        self.min_scale = min_scale
        self.patience = patience
        self.on_step = on_step
        self.channel_budget = budget * torch.tensor([1.0, chroma_ratio, chroma_ratio], device=clean.device).view(
            1, 3, 1, 1
        )
        self.delta = torch.zeros_like(clean)
        self.velocity = torch.zeros_like(clean)
        self.active = (budget > 0).to(clean.dtype)
        self.active_count = self.active.sum().clamp_min(1.0)
        self.scale = 1.0
        self.streak = 0
        self.steps_run = 0
        self.step = 0  # the step about to run
        self.stopped = False  # by patience

    @property
    def finished(self) -> bool:
        """Every step ran, or the patience stopped the loop."""
        return self.stopped or self.step >= self.steps

    def perturbed(self) -> torch.Tensor:
        """This step's ``1 x 3 x H x W`` perturbed crop in [0, 1], differentiable in :attr:`delta`."""
        self.delta.requires_grad_(True)
        return compose(self.clean, self.delta, self.epsilon)

    def record(self, done: bool) -> bool:
        """Take this step's ``done``; returns whether the loop goes on (then call :meth:`update`)."""
        self.steps_run = self.step + 1
        if self.on_step is not None:
            self.on_step(self.steps_run, self.steps)
        self.streak = self.streak + 1 if done else 0
        if self.patience is not None and self.streak >= self.patience:
            self.delta = self.delta.detach()
            self.stopped = True
            return False
        if done:
            self.scale = max(self.min_scale, self.scale * (1 - self.shrink))
        else:
            self.scale = min(1.0, self.scale * (1 + self.shrink))
        return True

    def update(self, grad: torch.Tensor) -> None:
        """The step itself, from ``grad`` (``1 x 3 x H x W``, the loss's gradient in :attr:`delta`)."""
        step, steps, active, active_count = self.step, self.steps, self.active, self.active_count
        with torch.no_grad():
            if not torch.isfinite(grad).all():
                grad = torch.nan_to_num(grad, nan=0.0, posinf=0.0, neginf=0.0)
            grad = grad * active
            self.velocity = self.momentum * self.velocity + grad / (grad.abs().sum() / active_count).clamp_min(1e-12)
            velocity = self.velocity
            seen, g_v = 0.0, None
            if self.visibility is not None:
                velocity, seen, g_v = self._along_visibility(velocity)
            rms = (velocity.pow(2).sum(dim=(2, 3), keepdim=True) / active_count).sqrt().clamp_min(1e-12)
            t = step / max(steps - 1, 1)
            ratio = self.final_step_ratio
            size = self.step_size * (ratio + (1 - ratio) * 0.5 * (1 + math.cos(math.pi * t)))
            before = self.delta.detach()
            delta = before - size * self.channel_budget * velocity / rms
            limit = self.channel_budget * self.scale
            delta = torch.maximum(torch.minimum(delta, limit), -limit)
            if g_v is not None:  # a first-order estimate of the visible difference; the next step measures it
                estimate = seen + float((g_v * (delta - before)).sum())
                if estimate > self.visible_cap:
                    delta = delta * (self.visible_cap / estimate) ** (1.0 / GROWTH)
            self.delta = delta
        self.step += 1

    @property
    def visible_cap(self) -> float:
        """The visible difference (``10 - JOD``) allowed now: the target's, shrunk with the DDN scale."""
        return (10.0 - self.jod_target) * self.scale**GROWTH

    def _along_visibility(self, velocity: torch.Tensor) -> tuple[torch.Tensor, float, torch.Tensor | None]:
        """``(velocity, seen, g_v)``: the visible difference of :attr:`delta`, measured (a change the
        last step's estimate let past the budget is first scaled back onto it) and, once it is within
        10 % of the budget, its gradient ``g_v`` and ``velocity`` without the part that would make the
        change more visible (the step then moves along the surface of equal JOD); further below the
        budget the step is left as it is and ``g_v`` is None."""
        assert self.visibility is not None
        with torch.enable_grad():
            delta = self.delta.detach().requires_grad_(True)
            seen_t = 10.0 - self.visibility(compose(self.clean, delta, self.epsilon))[0]
        seen, cap = float(seen_t), self.visible_cap
        if seen < 0.9 * cap:
            return velocity, seen, None
        (g_v,) = torch.autograd.grad(seen_t, delta)
        if seen > 1.02 * cap:  # past the budget: back onto it (the gradient's direction holds)
            factor = (cap / seen) ** (1.0 / GROWTH)
            self.delta = self.delta * factor
            g_v, seen = g_v * factor ** (GROWTH - 1.0), cap
        b = self.channel_budget
        # the step is -size * b * velocity / rms: it changes the visible difference by -<g_v, b * velocity> (first order)
        along = (g_v * b * velocity).sum()
        if along >= 0:  # the step already makes it less visible
            return velocity, seen, g_v
        return velocity - along / (g_v * b * g_v).sum().clamp_min(1e-20) * g_v, seen, g_v

    def result(self) -> tuple[torch.Tensor, int]:
        """``(delta, steps_run)``: the RGB perturbation ``perturbed - clean`` and how many steps ran
        (measured against the visibility budget once more: the last step's was an estimate)."""
        with torch.no_grad():
            delta = self.delta.detach()
            if self.visibility is not None:
                seen, cap = float(10.0 - self.visibility(compose(self.clean, delta, self.epsilon))[0]), self.visible_cap
                if seen > cap:
                    delta = delta * (cap / seen) ** (1.0 / GROWTH)
            return compose(self.clean, delta, self.epsilon) - self.clean, self.steps_run
