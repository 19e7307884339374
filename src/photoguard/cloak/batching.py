"""Step the cloaks of many faces together, one forward/backward pass of each encoder per step.

Each face keeps its own optimisation (:class:`~photoguard.cloak.attack.IterativePerturbation`)
and its own objective (:class:`~photoguard.cloak.objective.EnsembleObjective`): its seeded
generator, channel draws, worst-first encoder choice, DDN scale, energy cap and patience. Only
the encoder calls are shared: at every step the inputs of all faces that chose encoder ``E`` are
stacked into one batch, ``E`` runs once, and each face takes its rows of the result; one backward
pass then gives every face the gradient of its own loss (the faces do not interact, so the
gradient of the sum with respect to a face's perturbation is that face's own gradient).

A single face is a batch of one and runs exactly the operations of
:func:`~photoguard.cloak.attack.perturb_iterative` with the objective as ``loss_fn`` (no stacking,
no slicing), so one-at-a-time results are unchanged to the bit. A larger batch gives the same
result up to the rounding of batched convolutions (``tests/test_many.py`` measures it).

The faces of one photo run one after the other (a face's crop sees the cloak of the faces before
it where their regions overlap); the faces of different photos run side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch

from photoguard.cloak.attack import IterativePerturbation
from photoguard.cloak.objective import EnsembleObjective
from photoguard.models.face_encoder import FaceEncoder


@dataclass
class FaceRun:
    """One face's optimisation: its loop state and its objective (sharing the face's generator)."""

    state: IterativePerturbation
    objective: EnsembleObjective


class FaceSource(Protocol):
    """Hands out the face runs of one photo, one at a time (see :class:`~photoguard.cloak.identity.PhotoCloak`)."""

    def next_run(self) -> FaceRun | None:
        """The next face's run (built on the photo as cloaked so far), or None when all are done."""
        ...

    def finish_run(self, run: FaceRun) -> None:
        """Take a finished run's perturbation (paste it into the photo)."""
        ...


def step_faces(runs: list[FaceRun], encoders: dict[str, FaceEncoder]) -> None:
    """One optimisation step of every run in ``runs`` (none finished), sharing each encoder's call.

    Args:
        runs: the faces to step, in a fixed order (it only decides their rows in each batch).
        encoders: every encoder any run may choose, by name; the order of the calls.
    """
    inputs = [run.objective.begin(run.state.perturbed()) for run in runs]
    for name, encoder in encoders.items():
        users = [(k, x[name]) for k, x in enumerate(inputs) if name in x]
        if len(users) == 1:  # a batch of one: the very call perturb_iterative's loss would make
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
