"""The identity cloak for whole photos: one bounded, shaped perturbation per face.

:class:`IdentityCloak` holds a frozen :class:`~photoguard.config.CloakConfig` and the encoders;
calling it on an 8-bit photo and its faces returns the protected photo. For each face it cuts a
working crop (:mod:`photoguard.cloak.region`), builds the per-pixel budget
(:mod:`photoguard.cloak.budget`) and runs :func:`~photoguard.cloak.attack.perturb_iterative`
against the ensemble under random platform channels (:mod:`photoguard.cloak.transforms`).
Every face starts from the same seed, so a face's cloak does not depend on its position in a
batch; the photo's energy cap is shared by the number of faces, and overlapping regions see the
cloak of the faces before them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
import torch

from photoguard.cloak.attack import perturb_iterative
from photoguard.cloak.budget import budget_map
from photoguard.cloak.objective import EnsembleObjective, ObjectiveSettings
from photoguard.cloak.region import FaceRegion, extract, face_region, paste
from photoguard.cloak.transforms import TransformSampler
from photoguard.config import CloakConfig
from photoguard.models.encoders import ENCODERS
from photoguard.models.face_encoder import load_encoder
from photoguard.progress import Stage
from photoguard.types import Face


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

    Example (from the repository root, models fetched):
        >>> from photoguard.config import preset
        >>> from photoguard.faces.detect import detect_faces
        >>> from photoguard.imageio import open_image
        >>> rgb = open_image("examples/astronaut.png").rgb
        >>> cloak = IdentityCloak(preset("fast").with_(steps=2))
        >>> protected, outcomes = cloak(rgb, detect_faces(rgb))   # H x W x 3 uint8
        >>> protected.shape, protected.dtype, [o.cloaked for o in outcomes]
        ((512, 512, 3), dtype('uint8'), [True])
    """

    def __init__(self, config: CloakConfig, device: str | torch.device = "cpu") -> None:
        self.config = config
        self.device = torch.device(device)
        self.encoders = {name: load_encoder(name, self.device) for name in config.attack_encoders}

    def __call__(
        self,
        image: np.ndarray,
        faces: list[Face],
        progress: Callable[[float, str], None] | None = None,
        jpeg_quality: int | None = None,
    ) -> tuple[np.ndarray, list[FaceOutcome]]:
        """Protect every face of ``image``.

        Only the face regions are ever held as float, in bands (:func:`~photoguard.cloak.region.extract`,
        :func:`~photoguard.cloak.region.paste`), so the memory follows the faces, not the photo.

        Args:
            image: ``H x W x 3`` uint8 RGB photo (not modified).
            faces: detected faces in the photo's pixel coordinates.
            progress: called with ``(fraction of the cloak done, stage)``, the stage a
                :class:`~photoguard.progress.Stage` ``"step"`` (face i of n, step s of S).
            jpeg_quality: the quality the photo will be written at (None: a lossless format); with
                the config's ``face_psnr_floor``, the face cap leaves room for its loss.

        Returns:
            ``(protected, outcomes)``: the protected ``H x W x 3`` uint8 photo and one outcome per face.
        """
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an H x W x 3 uint8 photo, got {image.shape} {image.dtype}")
        out = image.copy()
        outcomes = []
        size = (image.shape[1], image.shape[0])
        for index, face in enumerate(faces):
            if face.size < self.config.min_face_px:
                outcomes.append(
                    FaceOutcome(face, False, f"too small: {face.size:.0f} px (min {self.config.min_face_px})")
                )
                continue
            region = face_region(face, size, self.config.face_px, self.config.region_scale)
            crop = extract(out, region).to(self.device)  # move only the crop to the GPU
            face_rms = self.config.face_rms
            if face_rms is not None and self.config.face_psnr_floor is not None:
                from photoguard.cloak.floor import face_rms_under_floor

                face_rms = face_rms_under_floor(image, face, face_rms, self.config.face_psnr_floor, jpeg_quality)
            energy = self._energy(region, (image.shape[0], image.shape[1]), len(faces), face_rms)
            on_step = None
            if progress is not None:

                def on_step(done: int, steps: int, index: int = index) -> None:
                    progress(
                        (index + done / steps) / len(faces),
                        Stage("step", i=index + 1, n=len(faces), s=done, steps=steps),
                    )

            delta, sims = self.cloak_crop(crop, region, energy, on_step=on_step)
            paste(out, image, delta, region, self.config.epsilon / 255.0)
            outcomes.append(FaceOutcome(face, True, final_similarity=sims))
        return out, outcomes

    def _energy(
        self, region: FaceRegion, photo_hw: tuple[int, int], n_faces: int, face_rms: float | None
    ) -> float | None:
        """Sum-of-squares budget (working-resolution pixels, [0, 1] units) from the RMS caps."""
        cfg = self.config
        caps = []
        s2 = region.scale**2
        x0, y0, x1, y1 = region.box
        if face_rms is not None:
            face_area = (x1 - x0) * 1.4 * (y1 - y0) * 1.4  # box + 20 % each side, working px
            caps.append((face_rms / 255.0) ** 2 * 3 * face_area)
        if cfg.photo_rms is not None:
            photo_area = photo_hw[0] * photo_hw[1] * s2 / max(n_faces, 1)
            caps.append((cfg.photo_rms / 255.0) ** 2 * 3 * photo_area)
        return min(caps) if caps else None

    def cloak_crop(
        self,
        crop: torch.Tensor,
        region: FaceRegion,
        energy: float | None = None,
        on_step: Callable[[int, int], None] | None = None,
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
        )
        budget = budget_map(
            crop,
            region.box,
            region.landmarks,
            epsilon=cfg.epsilon,
            jnd_scale=cfg.jnd_scale,
            eye_ratio=cfg.eye_ratio,
        )
        objective = EnsembleObjective(
            self.encoders,
            {name: ENCODERS[name].threshold for name in self.encoders},
            crop,
            region.box,
            region.landmarks,
            sampler=sampler,
            settings=objective_settings(cfg),
            generator=generator,
        )
        delta, _ = perturb_iterative(
            crop,
            budget,
            objective,
            steps=cfg.steps,
            step_size=cfg.step_size,
            momentum=cfg.momentum,
            epsilon=cfg.epsilon / 255.0,
            chroma_ratio=cfg.chroma_ratio,
            final_step_ratio=cfg.final_step_ratio,
            shrink=cfg.budget_shrink,
            min_scale=cfg.min_budget_scale,
            energy=energy,
            patience=cfg.patience,
            on_step=on_step,
        )
        return delta, dict(objective.last_similarity)


def objective_settings(config: CloakConfig) -> ObjectiveSettings:
    """The objective's view of a cloak config: its fields of the same names."""
    return ObjectiveSettings(**{f.name: getattr(config, f.name) for f in fields(ObjectiveSettings)})
