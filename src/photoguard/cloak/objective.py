"""The cloak's objective: what the loop (:mod:`photoguard.cloak.loop`) minimises.

:class:`EnsembleObjective` is each face's objective in the loop (its ``begin``/``absorb``/``finish``
let the loop share the encoder calls of many faces; called as ``loss_fn(perturbed, step)`` it
makes its own calls). At every step it

1. draws ``eot_samples`` random platform channels (blur, downscale, JPEG) and re-detections
   (:mod:`photoguard.cloak.transforms`) and applies them to the perturbed crop once, shared by
   every encoder;
2. picks the encoders to evaluate, *worst first*: the half that last recognised the face most
   (any not evaluated yet before all), then a seeded random draw of the others,
   ``encoders_per_step`` in all, so five encoders cost about what two do and the encoder that
   would still let a bot copy the face is always in the step's gradient;
3. for each of them, a soft hinge on the cosine similarity to the person's clean identity
   (flat once the face is ``target_margin`` below that encoder's threshold, so the identity term
   of a safely fooled encoder stops taking budget) plus a mid-level feature-disruption term
   (which keeps pulling);
4. reports ``done`` when every encoder of the ensemble was last seen ``done_margin`` below its
   threshold, which lets the loop shrink the perturbation (DDN) and stop early; a step that
   starts from that state evaluates every encoder, so "done" never rests on old margins.

Weighting the lagging encoder's loss up (1 + 3 x sigmoid) or normalising each encoder's gradient
before adding them was measured and did not help (docs/cloak_experiments.md). The objective owns
its random draws (a seeded ``torch.Generator``), so a run is replayable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from photoguard.cloak.transforms import TransformSampler, apply_channel, rescale_matrix
from photoguard.faces.align import jitter_matrices, warp
from photoguard.models.encoders import encoder_matrix
from photoguard.models.face_encoder import FaceEncoder


def hinge_similarity_loss(
    embeddings: torch.Tensor, clean: torch.Tensor, target: float, *, sharpness: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Soft hinge ``softplus(k (cos - target)) / k`` averaged over samples.

    Args:
        embeddings: ``K x D`` unit-norm embeddings of transformed, perturbed faces.
        clean: ``D`` (or ``1 x D``) unit-norm embedding of the clean face.
        target: similarity below which the loss is (almost) zero.
        sharpness: ``k``; larger is closer to a hard hinge.

    Returns:
        ``(loss, cos)``: scalar loss and the ``K`` cosine similarities (detached).
    """
    cos = embeddings @ clean.reshape(-1)
    loss = F.softplus(sharpness * (cos - target)).mean() / sharpness
    return loss, cos.detach()


def identity_anchor(encoder: FaceEncoder, aligned: torch.Tensor, *, mirror: bool) -> torch.Tensor:
    """The clean identity to push away from: ``D`` unit-norm embedding of ``1 x 3 x S x S`` face.

    With ``mirror``, the normalised mean of the face and its mirror image: an estimate of the
    person's identity rather than of this one photo.
    """
    with torch.no_grad():
        if mirror:
            both = encoder(torch.cat([aligned, aligned.flip(-1)]))
            return F.normalize(both.sum(0), dim=0)
        return encoder(aligned)[0]


@dataclass(frozen=True, kw_only=True)
class ObjectiveSettings:
    """The objective's knobs (a view of :class:`~photoguard.config.CloakConfig`).

    Attributes:
        eot_samples: channel draws per step.
        encoders_per_step: encoders evaluated per step (None or >= ensemble size: all).
        target_margin: hinge target = threshold - this.
        hinge_sharpness: ``k`` of the soft hinge.
        feature_weight: weight of the mid-level feature term (0 = off).
        done_margin: the ensemble is done when every encoder's worst sample is this far below
            its threshold.
        mirror_anchor: identity anchor from the face and its mirror image.
    """

    eot_samples: int
    encoders_per_step: int | None
    target_margin: float
    hinge_sharpness: float
    feature_weight: float
    done_margin: float
    mirror_anchor: bool


class EnsembleObjective:
    """``loss_fn(perturbed, step) -> (loss, done)`` against an encoder ensemble, worst first.

    Args:
        encoders: attacked encoders by name (the dict order breaks ties).
        thresholds: each encoder's same-person threshold.
        crop: ``1 x 3 x H x W`` clean working crop in [0, 1].
        box, landmarks: the face in crop pixels.
        sampler: seeded source of channel draws.
        settings: the knobs.
        generator: seeded source of the encoder choice (share the sampler's to replay a run).

    Attributes:
        margins: each encoder's last worst-sample ``max(cos) - threshold`` (``inf``: not yet
            evaluated), read by callers for the last similarities too (:attr:`last_similarity`).
    """

    def __init__(
        self,
        encoders: dict[str, FaceEncoder],
        thresholds: dict[str, float],
        crop: torch.Tensor,
        box: tuple[float, float, float, float],
        landmarks: np.ndarray,
        *,
        sampler: TransformSampler,
        settings: ObjectiveSettings,
        generator: torch.Generator,
    ) -> None:
        if not encoders:
            raise ValueError("the objective needs at least one encoder")
        self.encoders = encoders
        self.thresholds = {name: thresholds[name] for name in encoders}
        self.sampler = sampler
        self.settings = settings
        self.generator = generator
        self.base = {
            name: torch.tensor(encoder_matrix(name, box, landmarks)[None], dtype=crop.dtype, device=crop.device)
            for name in encoders
        }
        self.anchor: dict[str, torch.Tensor] = {}
        self.clean_features: dict[str, torch.Tensor] = {}
        with torch.no_grad():
            for name, enc in encoders.items():
                aligned = warp(crop, self.base[name], enc.spec.input_size)
                self.anchor[name] = identity_anchor(enc, aligned, mirror=settings.mirror_anchor)
                self.clean_features[name] = enc.embed_with_features(aligned)[1][0]
        self.margins: dict[str, float] = {name: math.inf for name in encoders}
        self.last_similarity: dict[str, float] = {}
        self.evaluations: dict[str, int] = {name: 0 for name in encoders}
        self._total: torch.Tensor | None = None  # this step's loss so far (between begin and finish)

    def choose(self) -> list[str]:
        """This step's encoders: the worst (highest margin, unevaluated first) half, then random others;
        all of them while the ensemble looks done (to confirm it on the current perturbation)."""
        names = list(self.encoders)
        k = self.settings.encoders_per_step
        if k is None or k >= len(names) or self.done():  # "done" is confirmed on every encoder, not on old margins
            return names
        ranked = sorted(names, key=lambda n: -self.margins[n])  # stable: dict order breaks ties
        worst = ranked[: max(1, (k + 1) // 2)]
        rest = [n for n in names if n not in worst]
        picks = torch.randperm(len(rest), generator=self.generator)[: k - len(worst)].tolist()
        chosen = set(worst) | {rest[i] for i in picks}
        return [n for n in names if n in chosen]

    def _inputs(self, perturbed: torch.Tensor, names: list[str]) -> dict[str, torch.Tensor]:
        """Every chosen encoder's aligned input under this step's channel draws, ``K x 3 x S x S``."""
        inputs: dict[str, list[torch.Tensor]] = {name: [] for name in names}
        for _ in range(self.settings.eot_samples):
            draw = self.sampler.draw()
            seen, r = apply_channel(perturbed, draw)
            shared: dict[tuple[str, int], torch.Tensor] = {}  # encoders with the same crop see the same warp
            for name in names:
                size = self.encoders[name].spec.input_size
                m = rescale_matrix(self.base[name], r)
                m = jitter_matrices(
                    m,
                    size,
                    shift=torch.tensor([draw.shift], dtype=m.dtype, device=m.device) * size,
                    angle=torch.tensor([draw.angle], dtype=m.dtype, device=m.device),
                    scale=torch.tensor([draw.scale], dtype=m.dtype, device=m.device),
                )
                key = (self.encoders[name].spec.crop, size)
                if key not in shared:
                    shared[key] = warp(seen, m, size)
                inputs[name].append(shared[key])
        return {name: torch.cat(faces) for name, faces in inputs.items()}

    def done(self) -> bool:
        """Every encoder's last worst sample is ``done_margin`` below its threshold."""
        return all(m < -self.settings.done_margin for m in self.margins.values())

    def __call__(self, perturbed: torch.Tensor, step: int) -> tuple[torch.Tensor, bool]:
        """The loss of ``perturbed`` (``1 x 3 x H x W``, differentiable) and whether it is done."""
        inputs = self.begin(perturbed)
        for name, faces in inputs.items():
            self.absorb(name, *self.encoders[name].embed_with_features(faces))
        return self.finish()

    def begin(self, perturbed: torch.Tensor) -> dict[str, torch.Tensor]:
        """Start a step on ``perturbed``: choose its encoders and draw its channels.

        Returns:
            each chosen encoder's input, ``eot_samples x 3 x S x S``, in the ensemble's order;
            hand each one's ``embed_with_features`` output to :meth:`absorb` (in that order, on
            its own or as a slice of a batch shared with other faces), then call :meth:`finish`.
        """
        names = self.choose()
        self._total = perturbed.new_zeros(())
        return self._inputs(perturbed, names)

    def absorb(self, name: str, embeddings: torch.Tensor, features: torch.Tensor) -> None:
        """Add encoder ``name``'s term for this step's ``K x D`` embeddings and ``K x C x h x w`` features."""
        s = self.settings
        target = self.thresholds[name] - s.target_margin
        loss, cos = hinge_similarity_loss(embeddings, self.anchor[name], target, sharpness=s.hinge_sharpness)
        if s.feature_weight > 0:
            flat = features.flatten(1)
            clean = self.clean_features[name].flatten().expand_as(flat)
            loss = loss + s.feature_weight * F.cosine_similarity(flat, clean, dim=1).mean()
        margin = float(cos.max()) - self.thresholds[name]
        if self._total is None:
            raise RuntimeError("absorb() without begin()")
        self._total = self._total + loss
        self.margins[name] = margin
        self.last_similarity[name] = float(cos.mean())
        self.evaluations[name] += 1

    def finish(self) -> tuple[torch.Tensor, bool]:
        """This step's ``(loss, done)``: the sum of the absorbed terms and :meth:`done`."""
        total, self._total = self._total, None
        if total is None:
            raise RuntimeError("finish() without begin()")
        return total, self.done()
