"""The identity cloak for whole photos: one bounded, shaped perturbation per face.

:class:`IdentityCloak` holds a frozen :class:`~photoguard.config.CloakConfig` and the encoders;
calling it on a photo tensor and its faces returns the protected photo. For each face it cuts a
working crop (:mod:`photoguard.cloak.region`), builds the per-pixel budget
(:mod:`photoguard.cloak.budget`) and runs :func:`~photoguard.cloak.attack.perturb_iterative`
against the ensemble under random platform channels (:mod:`photoguard.cloak.transforms`).
Every face starts from the same seed, so a face's cloak does not depend on the other faces
or on its position in a batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import torch

from photoguard.cloak.attack import perturb_iterative
from photoguard.cloak.budget import budget_map
from photoguard.cloak.losses import hinge_similarity_loss, lagging_weight
from photoguard.cloak.region import FaceRegion, extract, face_region, upsample
from photoguard.cloak.surrogates import capture, feature_importance, feature_layer, ghost
from photoguard.cloak.transforms import TransformSampler, apply_channel, rescale_matrix
from photoguard.config import CloakConfig
from photoguard.faces.align import jitter_matrices, warp
from photoguard.models.encoders import FaceEncoder, encoder_matrix, load_encoder
from photoguard.types import Face


@lru_cache(maxsize=1)
def thresholds() -> dict[str, float]:
    """Each encoder's same-person threshold at 0.1 % false accepts (``benchmarks/encoders.py``)."""
    raw = json.loads(resources.files("photoguard.models").joinpath("thresholds.json").read_text())
    return {name: float(entry["far_0.001"]) for name, entry in raw.items()}


def embed(
    encoders: dict[str, FaceEncoder],
    image: torch.Tensor,
    box: tuple[float, float, float, float],
    landmarks: np.ndarray,
    *,
    mirror: bool = False,
) -> dict[str, torch.Tensor]:
    """Embeddings (``D`` each) of one face of ``image`` (``1 x 3 x H x W``) under each encoder.

    With ``mirror``, the embedding is the normalised mean of the face and its mirror image: an
    estimate of the person's identity rather than of this one photo.
    """
    out = {}
    with torch.no_grad():
        for name, enc in encoders.items():
            m = torch.tensor(encoder_matrix(name, box, landmarks)[None], dtype=image.dtype, device=image.device)
            face = warp(image, m, enc.spec.input_size)
            if mirror:
                both = enc(torch.cat([face, face.flip(-1)]))
                out[name] = torch.nn.functional.normalize(both.sum(0), dim=0)
            else:
                out[name] = enc(face)[0]
    return out


@dataclass
class FaceOutcome:
    """Per-face result of the cloak: the face, whether it was cloaked and why not."""

    face: Face
    cloaked: bool
    reason: str | None = None
    final_similarity: dict[str, float] | None = None


class IdentityCloak:
    """Callable cloak with a fixed config.

    Args:
        config: the validated hyper-parameters.
        device: where the encoders run.

    Example:
        >>> cloak = IdentityCloak(preset("fast"))
        >>> protected, outcomes = cloak(photo, faces)   # photo: 1 x 3 x H x W in [0, 1]
    """

    def __init__(self, config: CloakConfig, device: str | torch.device = "cpu") -> None:
        self.config = config
        self.device = torch.device(device)
        self.encoders = {name: load_encoder(name, self.device) for name in config.attack_encoders}

    def __call__(self, image: torch.Tensor, faces: list[Face]) -> tuple[torch.Tensor, list[FaceOutcome]]:
        """Protect every face of ``image``.

        Args:
            image: ``1 x 3 x H x W`` photo in [0, 1] (not modified).
            faces: detected faces in the photo's pixel coordinates.

        Returns:
            ``(protected, outcomes)``: the protected photo (same shape) and one outcome per face.
        """
        if image.dim() != 4 or image.shape[:2] != (1, 3):
            raise ValueError(f"expected a 1 x 3 x H x W photo, got {tuple(image.shape)}")
        out = image.detach().clone()
        outcomes = []
        size = (image.shape[-1], image.shape[-2])
        for face in faces:
            if face.size < self.config.min_face_px:
                outcomes.append(FaceOutcome(face, False, f"too small: {face.size:.0f} px (min {self.config.min_face_px})"))
                continue
            region = face_region(face, size, self.config.face_px)
            crop = extract(out, region).to(self.device)  # move only the crop to the GPU
            energy = self._energy(region, (image.shape[-2], image.shape[-1]), len(faces))
            delta, sims = self.cloak_crop(crop, region, energy)
            patch = out[:, :, region.y0 : region.y1, region.x0 : region.x1]
            patch.add_(upsample(delta.to(out.device), region))
            original = image[:, :, region.y0 : region.y1, region.x0 : region.x1]
            eps = self.config.epsilon / 255.0
            patch.copy_(torch.minimum(torch.maximum(patch, original - eps), original + eps).clamp_(0, 1))
            outcomes.append(FaceOutcome(face, True, final_similarity=sims))
        return out, outcomes

    def _energy(self, region: FaceRegion, photo_hw: tuple[int, int], n_faces: int) -> float | None:
        """Sum-of-squares budget (working-resolution pixels, [0, 1] units) from the RMS caps."""
        cfg = self.config
        caps = []
        s2 = region.scale**2
        x0, y0, x1, y1 = region.box
        if cfg.face_rms is not None:
            face_area = (x1 - x0) * 1.4 * (y1 - y0) * 1.4  # box + 20 % each side, working px
            caps.append((cfg.face_rms / 255.0) ** 2 * 3 * face_area)
        if cfg.photo_rms is not None:
            photo_area = photo_hw[0] * photo_hw[1] * s2 / max(n_faces, 1)
            caps.append((cfg.photo_rms / 255.0) ** 2 * 3 * photo_area)
        return min(caps) if caps else None

    def cloak_crop(
        self, crop: torch.Tensor, region: FaceRegion, energy: float | None = None
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """Optimise the perturbation of one working crop; returns it and the last mean similarities."""
        cfg = self.config
        generator = torch.Generator().manual_seed(cfg.seed)
        sampler = TransformSampler(
            jpeg_quality=cfg.jpeg_quality,
            rescale=cfg.rescale,
            blur_sigma=cfg.blur_sigma,
            jitter_shift=cfg.jitter_shift,
            jitter_angle=cfg.jitter_angle,
            jitter_scale=cfg.jitter_scale,
            generator=generator,
            rescale_prob=cfg.rescale_prob,
        )
        budget = budget_map(
            crop, region.box, region.landmarks, epsilon=cfg.epsilon, jnd_scale=cfg.jnd_scale, eye_ratio=cfg.eye_ratio
        )
        clean = embed(self.encoders, crop, region.box, region.landmarks, mirror=cfg.mirror_anchor)
        base = {
            name: torch.tensor(encoder_matrix(name, region.box, region.landmarks)[None], dtype=crop.dtype, device=crop.device)
            for name in self.encoders
        }
        # Mid-level feature term: with feature_copies, the clean face's identity-carrying features
        # (importance-weighted, FIA) are pushed down, relative to their clean level; without, the
        # features' cosine to the clean ones (FDA-like, cheaper).
        clean_features: dict[str, torch.Tensor] = {}
        importance: dict[str, tuple[torch.Tensor, float]] = {}
        if cfg.feature_weight > 0:
            for name, enc in self.encoders.items():
                aligned = warp(crop, base[name], enc.spec.input_size)
                store: list[torch.Tensor] = []
                with torch.no_grad(), capture(feature_layer(enc), store):
                    enc(aligned)
                clean_features[name] = store[0][0]
                if cfg.feature_copies > 0:
                    w = feature_importance(enc, aligned, clean[name], copies=cfg.feature_copies, generator=generator)
                    importance[name] = (w, abs(float((w * clean_features[name]).sum())) or 1.0)
        limits = thresholds()
        targets = {name: limits[name] - cfg.target_margin for name in self.encoders}
        last: dict[str, float] = {}

        def loss_fn(perturbed: torch.Tensor, step: int) -> tuple[torch.Tensor | list[torch.Tensor], bool]:
            draws = [sampler.draw() for _ in range(cfg.eot_samples)]
            inputs: dict[str, list[torch.Tensor]] = {name: [] for name in self.encoders}
            cache: dict[tuple[str, int], torch.Tensor] = {}
            for draw in draws:
                seen, r = apply_channel(perturbed, draw)
                for name, enc in self.encoders.items():
                    size = enc.spec.input_size
                    key = (enc.spec.crop, size)
                    m = rescale_matrix(base[name], r)
                    m = jitter_matrices(
                        m,
                        size,
                        shift=torch.tensor([draw.shift], dtype=m.dtype, device=m.device) * size,
                        angle=torch.tensor([draw.angle], dtype=m.dtype, device=m.device),
                        scale=torch.tensor([draw.scale], dtype=m.dtype, device=m.device),
                    )
                    if key not in cache:
                        cache[key] = warp(seen, m, size)
                    inputs[name].append(cache[key])
                cache.clear()
            parts: list[torch.Tensor] = []
            done = True
            for name, enc in self.encoders.items():
                feats: list[torch.Tensor] = []
                with ghost(enc, cfg.ghost, generator), capture(feature_layer(enc), feats):
                    embeddings = enc(torch.cat(inputs[name]))
                loss, cos = hinge_similarity_loss(embeddings, clean[name], targets[name])
                if name in importance:
                    w, reference = importance[name]
                    loss = loss + cfg.feature_weight * ((feats[0] * w).flatten(1).sum(1) / reference).mean()
                elif cfg.feature_weight > 0:
                    f = feats[0].flatten(1)
                    loss = loss + cfg.feature_weight * torch.nn.functional.cosine_similarity(
                        f, clean_features[name].flatten().expand_as(f), dim=1
                    ).mean()
                parts.append(loss * lagging_weight(cos, limits[name], cfg.lagging_weight))
                last[name] = float(cos.mean())
                done = done and bool((cos < targets[name]).all())
            return (parts if cfg.balance_encoders else torch.stack(parts).sum()), done

        delta = perturb_iterative(
            crop,
            budget,
            loss_fn,
            steps=cfg.steps,
            step_size=cfg.step_size,
            momentum=cfg.momentum,
            epsilon=cfg.epsilon / 255.0,
            chroma_ratio=cfg.chroma_ratio,
            energy=energy,
        )
        return delta, last
