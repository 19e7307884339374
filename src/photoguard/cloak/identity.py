"""The identity cloak for whole photos: one bounded, shaped perturbation per face.

:class:`IdentityCloak` holds a frozen :class:`~photoguard.config.CloakConfig` and the encoders;
calling it on an 8-bit photo and its faces returns the protected photo. For each face it cuts a
working crop (:mod:`photoguard.cloak.region`), builds the per-pixel budget
(:mod:`photoguard.cloak.budget`) and runs the loop (:mod:`photoguard.cloak.loop`) against the
ensemble under random platform channels (:mod:`photoguard.cloak.transforms`).
Every face starts from the same seed, so a face's cloak does not depend on its position in a
batch, and overlapping regions see the cloak of the faces before them. How much a face may
change is set by how visible the change is (:mod:`photoguard.visibility.proxy`, the preset's
``jod_target``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
import torch

from photoguard.cloak.attack import IterativePerturbation
from photoguard.cloak.budget import budget_map
from photoguard.cloak.loop import FaceRun, run_faces
from photoguard.cloak.objective import EnsembleObjective, ObjectiveSettings
from photoguard.cloak.region import FaceRegion, extract, face_region, paste
from photoguard.cloak.transforms import TransformSampler
from photoguard.config import CloakConfig
from photoguard.metrics import FACE_MARGIN
from photoguard.models.encoders import ENCODERS
from photoguard.models.face_encoder import load_encoder
from photoguard.progress import Stage
from photoguard.types import Face, FaceReason
from photoguard.visibility.proxy import FaceVisibility

#: The loop aims this many JOD above the preset's target: its linearised estimate counts contrast
#: masking a little generously (about 0.05-0.08 JOD on cloaked faces), and the floor on the written
#: file (:mod:`photoguard.cloak.floor`) takes the rest back by scaling, which costs more protection
#: than optimising at the right budget.
PROXY_MARGIN = 0.08


@dataclass
class FaceOutcome:
    """Per-face result of the cloak: the face, whether it was cloaked and why not."""

    face: Face
    cloaked: bool
    reason: FaceReason | None = None
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
    ) -> tuple[np.ndarray, list[FaceOutcome]]:
        """Protect every face of ``image``.

        Only the face regions are ever held as float, in bands (:func:`~photoguard.cloak.region.extract`,
        :func:`~photoguard.cloak.region.paste`), so the memory follows the faces, not the photo.

        Args:
            image: ``H x W x 3`` uint8 RGB photo (not modified).
            faces: detected faces in the photo's pixel coordinates.
            progress: called with ``(fraction of the cloak done, stage)``, the stage a
                :class:`~photoguard.progress.Stage` ``"step"`` (face i of n, step s of S).

        Returns:
            ``(protected, outcomes)``: the protected ``H x W x 3`` uint8 photo and one outcome per face.
        """
        return self.cloak_many([PhotoCloak(self, image, faces, progress)])[0]

    def cloak_many(self, photos: list[PhotoCloak]) -> list[tuple[np.ndarray, list[FaceOutcome]]]:
        """Protect several photos at once: their faces share each encoder's forward/backward pass
        (:func:`~photoguard.cloak.loop.run_faces`); each face's result is the one it gets alone,
        up to the rounding of batched convolutions.

        Returns:
            ``(protected, outcomes)`` of each photo, in order (as :meth:`__call__` returns them).
        """
        run_faces(list(photos), dict(self.encoders))
        return [(photo.out, photo.outcomes) for photo in photos]

    def face_run(
        self,
        crop: torch.Tensor,
        region: FaceRegion,
        photo_width: int,
        targets: tuple[float, float],
        on_step: Callable[[int, int], None] | None = None,
    ) -> FaceRun:
        """The optimisation of one ``1 x 3 x H x W`` working crop, ready to step: its budget, its
        visibility (``targets``: the face's JODs, ``(4K, phone)``, :meth:`CloakConfig.targets_for`),
        its objective and loop state, the last two drawing from one generator seeded with the
        config's seed."""
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
        # How visible a change of the crop is where the product measures it (the face region at 100 %
        # on a 4K monitor, and on a phone); the crop is the photo scaled by region.scale.
        x0, y0, x1, y1 = region.box
        mx, my = (x1 - x0) * FACE_MARGIN, (y1 - y0) * FACE_MARGIN
        aim = (min(9.99, targets[0] + PROXY_MARGIN), min(9.99, targets[1] + PROXY_MARGIN))
        visibility = FaceVisibility(crop, region.scale, (x0 - mx, y0 - my, x1 + mx, y1 + my), photo_width, aim)
        state = IterativePerturbation(
            crop,
            budget,
            steps=cfg.steps,
            step_size=cfg.step_size,
            momentum=cfg.momentum,
            epsilon=cfg.epsilon / 255.0,
            chroma_ratio=cfg.chroma_ratio,
            final_step_ratio=cfg.final_step_ratio,
            shrink=cfg.budget_shrink,
            min_scale=cfg.min_budget_scale,
            visibility=visibility.jod,
            jod_target=aim[0],
            patience=cfg.patience,
            on_step=on_step,
        )
        return FaceRun(state, objective)


class PhotoCloak:
    """One photo's faces as a :class:`~photoguard.cloak.loop.FaceSource`: each face's crop is
    cut from the photo as cloaked so far, and its finished perturbation pasted back.

    Args:
        cloak: the cloak (config, encoders, device).
        image: ``H x W x 3`` uint8 RGB photo (not modified).
        faces, progress: as for :meth:`IdentityCloak.__call__`.

    Attributes:
        out: the protected ``H x W x 3`` uint8 photo (complete once every run finished).
        outcomes: one :class:`FaceOutcome` per face handed out so far.
    """

    def __init__(
        self,
        cloak: IdentityCloak,
        image: np.ndarray,
        faces: list[Face],
        progress: Callable[[float, str], None] | None = None,
    ) -> None:
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an H x W x 3 uint8 photo, got {image.shape} {image.dtype}")
        self.cloak = cloak
        self.image = image
        self.faces = faces
        self.progress = progress
        self.out = image.copy()
        self.outcomes: list[FaceOutcome] = []
        self._next = 0
        self._current: tuple[Face, FaceRegion] | None = None

    def next_run(self) -> FaceRun | None:
        """The next cloakable face's run (a face too small is recorded and skipped), or None."""
        config, image, faces = self.cloak.config, self.image, self.faces
        size = (image.shape[1], image.shape[0])
        while self._next < len(faces):
            index, face = self._next, faces[self._next]
            self._next += 1
            reason = config.too_small(face)
            if reason is not None:
                self.outcomes.append(FaceOutcome(face, False, reason))
                continue
            region = face_region(face, size, config.face_px, config.region_scale)
            crop = extract(self.out, region).to(self.cloak.device)  # move only the crop to the GPU
            self._current = (face, region)
            targets = config.targets_for(face.size)
            return self.cloak.face_run(crop, region, image.shape[1], targets, on_step=self._on_step(index))
        return None

    def finish_run(self, run: FaceRun) -> None:
        """Paste the finished run's perturbation into :attr:`out` and record the face's outcome."""
        if self._current is None:
            raise RuntimeError("finish_run() without next_run()")
        (face, region), self._current = self._current, None
        delta, _ = run.state.result()
        paste(self.out, self.image, delta, region, self.cloak.config.epsilon / 255.0)
        objective = run.objective
        assert isinstance(objective, EnsembleObjective)  # face_run's
        self.outcomes.append(FaceOutcome(face, True, final_similarity=dict(objective.last_similarity)))

    def _on_step(self, index: int) -> Callable[[int, int], None] | None:
        progress, n = self.progress, len(self.faces)
        if progress is None:
            return None

        def on_step(done: int, steps: int) -> None:
            progress((index + done / steps) / n, Stage("step", i=index + 1, n=n, s=done, steps=steps))

        return on_step


def objective_settings(config: CloakConfig) -> ObjectiveSettings:
    """The objective's view of a cloak config: its fields of the same names."""
    return ObjectiveSettings(**{f.name: getattr(config, f.name) for f in fields(ObjectiveSettings)})
