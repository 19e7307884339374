"""The cloak's loop: every face's perturbation stepped until it is done, the encoder calls of all
faces shared.

This is the loop the product runs (:class:`~photoguard.cloak.identity.IdentityCloak`, for one
photo or many: :func:`run_faces`). At each step, every face that is still going

1. hands its perturbed crop (:meth:`~photoguard.cloak.attack.IterativePerturbation.perturbed`) to
   its objective (:class:`~photoguard.cloak.objective.EnsembleObjective`), which draws the step's
   platform channels and chooses its encoders, worst first (:meth:`~StepObjective.begin`);
2. the inputs of all faces that chose encoder ``E`` are stacked into one batch, ``E`` runs once,
   and each face takes its rows of the result (:meth:`~StepObjective.absorb`);
3. each objective sums its loss and says whether the face is done (:meth:`~StepObjective.finish`);
   the face's state takes ``done`` (its patience, its DDN budget scale:
   :meth:`~photoguard.cloak.attack.IterativePerturbation.record`);
4. one backward pass gives every face still going the gradient of its own loss (the faces do not
   interact, so the gradient of the sum with respect to a face's perturbation is that face's own),
   and each face takes its step (:meth:`~photoguard.cloak.attack.IterativePerturbation.update`:
   the RMS-normalised momentum step within the per-pixel budget and the visibility budget).

Each face keeps its own seeded generator, channel draws, encoder choice, DDN scale and patience;
only the encoder calls are shared. A single face is a batch of one and runs no stacking and no
slicing, so a face cloaked alone is cloaked to the bit as it always was; a larger batch gives the
same result up to the rounding of batched convolutions (``tests/test_many.py`` measures it).

The faces of one photo run one after the other (a face's crop sees the cloak of the faces before
it where their regions overlap); the faces of different photos run side by side.

:func:`perturb_iterative` is this loop for one crop and any ``loss_fn`` (advertorch's signature):
a thin wrapper, so the tests that drive it on toy objectives test the product's loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import torch

from photoguard.cloak.attack import IterativePerturbation
from photoguard.models.face_encoder import FaceEncoder


class StepObjective(Protocol):
    """What a face's run minimises, one step at a time (:class:`~photoguard.cloak.objective.EnsembleObjective`)."""

    def begin(self, perturbed: torch.Tensor) -> dict[str, torch.Tensor]:
        """Start a step on the ``1 x 3 x H x W`` perturbed crop: each chosen encoder's input, by name."""
        ...

    def absorb(self, name: str, embeddings: torch.Tensor, features: torch.Tensor) -> None:
        """Take encoder ``name``'s output for the inputs :meth:`begin` gave it."""
        ...

    def finish(self) -> tuple[torch.Tensor, bool]:
        """The step's ``(loss, done)``."""
        ...


@dataclass
class FaceRun:
    """One face's optimisation: its loop state and its objective (sharing the face's generator)."""

    state: IterativePerturbation
    objective: StepObjective


class FaceSource(Protocol):
    """Hands out the face runs of one photo, one at a time (see :class:`~photoguard.cloak.identity.PhotoCloak`)."""

    def next_run(self) -> FaceRun | None:
        """The next face's run (built on the photo as cloaked so far), or None when all are done."""
        ...

    def finish_run(self, run: FaceRun) -> None:
        """Take a finished run's perturbation (paste it into the photo)."""
        ...


def step_faces(runs: list[FaceRun], encoders: dict[str, FaceEncoder]) -> None:
    """One step of the loop for every run in ``runs`` (none finished), sharing each encoder's call.

    Args:
        runs: the faces to step, in a fixed order (it only decides their rows in each batch).
        encoders: every encoder any run may choose, by name; the order of the calls.
    """
    inputs = [run.objective.begin(run.state.perturbed()) for run in runs]
    for name, encoder in encoders.items():
        users = [(k, x[name]) for k, x in enumerate(inputs) if name in x]
        if len(users) == 1:  # a batch of one: the face's own call, no stacking
            k, faces = users[0]
            runs[k].objective.absorb(name, *encoder.embed_with_features(faces))
        elif users:
            embeddings, features = encoder.embed_with_features(torch.cat([faces for _, faces in users]))
            start = 0
            for k, faces in users:
                stop = start + faces.shape[0]
                runs[k].objective.absorb(name, embeddings[start:stop], features[start:stop])
                start = stop
    going_on: list[FaceRun] = []
    losses: list[torch.Tensor] = []
    for run in runs:
        loss, done = run.objective.finish()
        if run.state.record(done):
            going_on.append(run)
            losses.append(loss)
    if going_on:
        grads = torch.autograd.grad(losses, [run.state.delta for run in going_on])
        for run, grad in zip(going_on, grads):
            run.state.update(grad)


def run_faces(sources: list[FaceSource], encoders: dict[str, FaceEncoder]) -> None:
    """Cloak every face of every source: each source's faces in turn, the sources side by side.

    A source whose face finishes hands in its next face at the following step, so the batch
    stays as full as the photos allow.
    """
    active: list[tuple[FaceSource, FaceRun]] = []
    for source in sources:
        _admit(source, active)
    while active:
        step_faces([run for _, run in active], encoders)
        still: list[tuple[FaceSource, FaceRun]] = []
        for source, run in active:
            if run.state.finished:
                source.finish_run(run)
                _admit(source, still)
            else:
                still.append((source, run))
        active = still


def _admit(source: FaceSource, active: list[tuple[FaceSource, FaceRun]]) -> None:
    """Append ``source``'s next run that has a step to take (a run of no steps is finished at once)."""
    while (run := source.next_run()) is not None:
        if not run.state.finished:
            active.append((source, run))
            return
        source.finish_run(run)


class LossObjective:
    """A plain ``loss_fn(perturbed, step) -> (loss, done)`` as a :class:`StepObjective` that calls
    no encoder of the loop's own (it may call any model inside)."""

    def __init__(self, loss_fn: Callable[[torch.Tensor, int], tuple[torch.Tensor, bool]]) -> None:
        self.loss_fn = loss_fn
        self.step = 0
        self._perturbed: torch.Tensor | None = None

    def begin(self, perturbed: torch.Tensor) -> dict[str, torch.Tensor]:
        self._perturbed = perturbed
        return {}

    def absorb(self, name: str, embeddings: torch.Tensor, features: torch.Tensor) -> None:
        raise RuntimeError(f"a loss_fn's objective was handed encoder {name!r}'s output")

    def finish(self) -> tuple[torch.Tensor, bool]:
        perturbed, self._perturbed = self._perturbed, None
        if perturbed is None:
            raise RuntimeError("finish() without begin()")
        loss, done = self.loss_fn(perturbed, self.step)
        self.step += 1
        return loss, done


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
    visibility: Callable[[torch.Tensor], torch.Tensor] | None = None,
    jod_target: float = 9.5,
    patience: int | None = None,
    on_step: Callable[[int, int], None] | None = None,
) -> tuple[torch.Tensor, int]:
    """Optimise a bounded perturbation of ``clean`` that minimises ``loss_fn``: the loop
    (:func:`step_faces`) for one crop.

    Args:
        clean: ``1 x 3 x H x W`` crop in [0, 1] (not modified).
        budget: ``1 x 1 x H x W`` per-pixel luma budget in [0, 1] units (0 = untouchable).
        loss_fn: ``loss_fn(perturbed, step) -> (loss, done)``: a scalar to minimise and
            whether the perturbation already does its job (e.g. an
            :class:`~photoguard.cloak.objective.EnsembleObjective`); ``perturbed`` is
            ``1 x 3 x H x W`` in [0, 1] and differentiable.
        steps, step_size, momentum, epsilon, chroma_ratio, final_step_ratio, shrink, min_scale,
            visibility, jod_target, patience, on_step: the step's
            (:class:`~photoguard.cloak.attack.IterativePerturbation`).

    Returns:
        ``(delta, steps_run)``: the ``1 x 3 x H x W`` RGB perturbation (``perturbed - clean``),
        within ``epsilon``, and how many steps ran.

    Example:
        >>> clean = torch.full((1, 3, 8, 8), 0.5)
        >>> delta, steps = perturb_iterative(
        ...     clean, torch.full((1, 1, 8, 8), 4 / 255), lambda x, step: (x.mean(), False), steps=3,
        ...     step_size=0.5, momentum=0.5, epsilon=8 / 255, chroma_ratio=0.2, final_step_ratio=0.2,
        ...     shrink=0.0, min_scale=0.1)
        >>> steps, bool(delta.mean() < 0), bool(delta.abs().max() <= 8 / 255 + 1e-6)
        (3, True, True)
    """
    state = IterativePerturbation(
        clean,
        budget,
        steps=steps,
        step_size=step_size,
        momentum=momentum,
        epsilon=epsilon,
        chroma_ratio=chroma_ratio,
        final_step_ratio=final_step_ratio,
        shrink=shrink,
        min_scale=min_scale,
        visibility=visibility,
        jod_target=jod_target,
        patience=patience,
        on_step=on_step,
    )
    run = FaceRun(state, LossObjective(loss_fn))
    while not state.finished:
        step_faces([run], {})
    return state.result()
