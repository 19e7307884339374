"""Frozen, validated configurations of the identity cloak, and the named presets.

Budgets are in units of 1/255 of the 8-bit range; visibility targets in JOD (ColorVideoVDP).
Presets trade protection for time and visibility: ``medium`` (default: the protection, at a
visibility that can be seen side by side on a close-up), ``light`` (hard to see, protects far
fewer people), ``fast`` (medium's targets in seconds, less protection), ``strong`` (for people who
accept a visible change). The measurements: benchmarks/results/protection.md and frontier.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from photoguard.errors import UsageError
from photoguard.models.encoders import CLOAK_ENCODERS, ENCODERS, HOLDOUT
from photoguard.types import Face, FaceReason


@dataclass(frozen=True, kw_only=True)
class CloakConfig:
    """Hyper-parameters of one cloak run.

    Attributes:
        epsilon: hard L-infinity bound of the perturbation, in 1/255 units (max 32).
        jnd_scale: per-pixel budget = ``jnd_scale`` x just-noticeable difference, capped at ``epsilon``.
        chroma_ratio: budget of the Cb/Cr components relative to luminance (0 = luminance only).
        eye_ratio: budget multiplier inside the eye regions (irises change colour visibly).
        steps: most optimisation steps per face.
        step_size: first step as a fraction of the per-pixel budget.
        final_step_ratio: the step decays (cosine) to this fraction of ``step_size``.
        momentum: gradient momentum (MI-FGSM), 0..1.
        budget_shrink: while the ensemble is done, the allowed budget shrinks by this factor per
            step and grows back by it while not (DDN), so a face keeps only what it needs.
        min_budget_scale: the budget never shrinks below this fraction.
        patience: stop after this many consecutive steps on which every encoder was safely
            below its threshold (None: always run ``steps``).
        eot_samples: random platform channels averaged per step.
        jpeg_quality: range of the simulated JPEG quality.
        rescale: range of the simulated downscale factor (then back up).
        blur_sigma: maximum simulated blur, pixels at working resolution.
        jitter_shift: alignment shift, fraction of the aligned crop side.
        jitter_angle: alignment rotation, degrees.
        jitter_scale: alignment scale change, fraction.
        encoders_per_step: encoders evaluated per step, the worst first (None: all attacked).
        target_margin: an encoder's hinge stops pulling this far below its threshold.
        hinge_sharpness: sharpness of that soft hinge.
        done_margin: the ensemble counts as done when every encoder is this far below its threshold.
        feature_weight: weight of the mid-level feature-disruption loss (0 = off).
        mirror_anchor: push away from the mean embedding of the face and its mirror image.
        jod_target: how visible the cloak may be: the lowest JOD (ColorVideoVDP: 10 = no visible
            difference, one less = 75 % of people prefer the original) of each face region (box +
            20 %) on a 4K monitor at 100 %. The optimisation spends up to it
            (:mod:`photoguard.visibility.proxy`) and the file as written is held at or above it
            (:mod:`photoguard.cloak.floor`).
        phone_jod_target: the same for the face on a phone showing the photo 1080 px wide (the
            view of a feed: a selfie's cloak, shrunk 3-4 times, shows there first).
        closeup_jod_target: the 4K target of a close-up, or None for ``jod_target`` at every size:
            from faces of :data:`CLOSEUP_PX` ``[0]`` to ``[1]`` the 4K target moves from
            ``jod_target`` to this (see :meth:`targets_for`).
        encoders: encoders the cloak knows of: the attacked ones plus ``holdout``; by default the
            registry's (:data:`~photoguard.models.encoders.CLOAK_ENCODERS`: the entries whose role
            is ``attack`` or ``holdout``). Every preset attacks ArcFace, SFace, FaceNet and FaceRes;
            attacking MobileFace as well cost ArcFace 5-25 points, so it is only measured
            (docs/cloak_experiments.md).
        holdout: encoder kept out of the attack and used for the honest verification score; by
            default the registry's (Faceplugin: of the five strong encoders the one whose absence
            cost the attack least).
        face_px: faces larger than this (box side, px) are worked on downsampled to it, and their
            cloak upsampled back; smaller faces at their own resolution.
        region_scale: side of the working region around a face, in face box sides (it must hold
            every encoder's crop plus the alignment jitter).
        min_face_px: faces smaller than this (px, in the photo) are reported and left alone.
        seed: random seed; the same seed and input give the same output.
    """

    epsilon: float = 12.0
    jnd_scale: float = 3.0
    chroma_ratio: float = 0.2
    eye_ratio: float = 0.5
    steps: int = 30
    step_size: float = 0.25
    final_step_ratio: float = 0.2
    momentum: float = 0.5
    budget_shrink: float = 0.08
    min_budget_scale: float = 0.1
    patience: int | None = 3
    eot_samples: int = 2
    jpeg_quality: tuple[float, float] = (50.0, 95.0)
    rescale: tuple[float, float] = (0.5, 1.0)
    blur_sigma: float = 1.2
    jitter_shift: float = 0.03
    jitter_angle: float = 4.0
    jitter_scale: float = 0.04
    encoders_per_step: int | None = 2
    target_margin: float = 0.45
    hinge_sharpness: float = 20.0
    done_margin: float = 0.1
    feature_weight: float = 1.0
    mirror_anchor: bool = True
    jod_target: float = 9.3
    phone_jod_target: float = 9.3
    closeup_jod_target: float | None = None
    encoders: tuple[str, ...] = CLOAK_ENCODERS
    holdout: str | None = HOLDOUT
    face_px: int = 224
    region_scale: float = 1.7
    min_face_px: int = 40
    seed: int = 0

    def __post_init__(self) -> None:
        checks = [
            (0 < self.epsilon <= 32, "epsilon must be in (0, 32] (units of 1/255)"),
            (self.jnd_scale > 0, "jnd_scale must be positive"),
            (0 <= self.chroma_ratio <= 1, "chroma_ratio must be in [0, 1]"),
            (0 <= self.eye_ratio <= 1, "eye_ratio must be in [0, 1]"),
            (self.steps >= 1, "steps must be >= 1"),
            (0 < self.step_size <= 1, "step_size must be in (0, 1]"),
            (0 < self.final_step_ratio <= 1, "final_step_ratio must be in (0, 1]"),
            (0 <= self.momentum < 1, "momentum must be in [0, 1)"),
            (0 <= self.budget_shrink < 1, "budget_shrink must be in [0, 1)"),
            (0 < self.min_budget_scale <= 1, "min_budget_scale must be in (0, 1]"),
            (self.patience is None or self.patience >= 1, "patience must be None or >= 1"),
            (self.eot_samples >= 1, "eot_samples must be >= 1"),
            (1 <= self.jpeg_quality[0] <= self.jpeg_quality[1] <= 100, "jpeg_quality must be a range in 1..100"),
            (0 < self.rescale[0] <= self.rescale[1] <= 1, "rescale must be a range in (0, 1]"),
            (self.encoders_per_step is None or self.encoders_per_step >= 1, "encoders_per_step must be None or >= 1"),
            (self.hinge_sharpness > 0, "hinge_sharpness must be positive"),
            (
                set(self.encoders) <= set(ENCODERS) and len(set(self.encoders)) == len(self.encoders) > 0,
                f"encoders must be distinct names among {tuple(ENCODERS)}",
            ),
            (self.holdout is None or self.holdout in self.encoders, "holdout must be None or one of encoders"),
            (
                self.holdout is None or self.holdout not in ENCODERS or ENCODERS[self.holdout].photo_threshold < 1,
                "holdout must be an encoder that can judge a cloak (photo_threshold < 1; not mobileface)",
            ),
            (self.face_px >= 64, "face_px must be >= 64"),
            (1.4 <= self.region_scale <= 4, "region_scale must be in [1.4, 4]"),
            (5.0 <= self.jod_target < 10.0, "jod_target must be in [5, 10)"),
            (5.0 <= self.phone_jod_target < 10.0, "phone_jod_target must be in [5, 10)"),
            (
                self.closeup_jod_target is None or 5.0 <= self.closeup_jod_target < 10.0,
                "closeup_jod_target must be None or in [5, 10)",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise UsageError(f"invalid cloak config: {message}")
        if not self.attack_encoders:
            raise UsageError("invalid cloak config: no encoder left to attack after the holdout")

    @property
    def attack_encoders(self) -> tuple[str, ...]:
        """Encoders whose gradients drive the attack (``encoders`` minus ``holdout``)."""
        return tuple(e for e in self.encoders if e != self.holdout)

    def targets_for(self, face_size: float) -> tuple[float, float]:
        """A face's JOD targets ``(4K monitor at 100 %, phone)``; ``face_size``: :attr:`Face.size`, px.

        At 100 % on a monitor a close-up's face is seen large, and everything the encoders still see
        of it after a platform's and a bot's resize lies where the eye is most sensitive: at selfie
        scale the same 4K target protects fewer people (benchmarks/results/protection_x3.md). With
        :attr:`closeup_jod_target` the 4K target moves to it, linearly, from faces of
        ``CLOSEUP_PX[0]`` to ``CLOSEUP_PX[1]`` px.

        >>> PRESETS["medium"].targets_for(200), PRESETS["medium"].targets_for(1500)
        ((8.9, 8.9), (8.45, 8.9))
        """
        if self.closeup_jod_target is None:
            return self.jod_target, self.phone_jod_target
        low, high = CLOSEUP_PX
        share = min(1.0, max(0.0, (face_size - low) / (high - low)))
        return round(self.jod_target + share * (self.closeup_jod_target - self.jod_target), 4), self.phone_jod_target

    def too_small(self, face: Face) -> FaceReason | None:
        """Why ``face`` is left as it is at this config (smaller than :attr:`min_face_px`), or None:
        the one rule, applied by the pipeline before the cloak and by the cloak itself."""
        if face.size >= self.min_face_px:
            return None
        return FaceReason("too small", px=round(face.size), min=self.min_face_px)

    def with_(self, **changes: object) -> CloakConfig:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


#: Face sizes (:attr:`Face.size`, px) over which a preset's 4K target moves from ``jod_target`` to
#: ``closeup_jod_target``: the largest faces of the native-size benchmark are under 500 px, a 12 MP
#: selfie's face is 1000-2000 px.
CLOSEUP_PX = (500.0, 800.0)

PRESETS: dict[str, CloakConfig] = {
    # ~2 s a face on 2 cores: one encoder (the worst) and one channel draw per step, medium's visibility.
    "fast": CloakConfig(
        steps=10,
        eot_samples=1,
        step_size=0.35,
        encoders_per_step=1,
        patience=None,
        blur_sigma=0.0,
        jod_target=8.9,
        phone_jod_target=8.9,
        closeup_jod_target=8.45,
    ),
    # The default: the strongest cloak that keeps every face at its visibility target; stops 3 steps
    # after every encoder is safely fooled. Close-ups get a lower 4K target: at 8.9 a selfie-scale
    # face kept ArcFace from matching only 78-83 % of people, at 8.45 94 % (the earlier design: 89 %)
    # and Faceplugin 89-94 % (the earlier design's).
    "medium": CloakConfig(
        steps=20, done_margin=0.25, blur_sigma=0.0, jod_target=8.9, phone_jod_target=8.9, closeup_jod_target=8.45
    ),
    # Hard to see even side by side at 100 % and on a phone, for less protection.
    "light": CloakConfig(steps=20, done_margin=0.25, blur_sigma=0.0, jod_target=9.5, phone_jod_target=9.7),
    # For people who accept a visible change: a 16/255 bound, all 40 steps and no budget shrink
    # (stopping or shrinking once fooled gave up the overshoot that carries to unseen encoders).
    "strong": CloakConfig(
        epsilon=16.0,
        jnd_scale=5.0,
        steps=40,
        patience=None,
        budget_shrink=0.0,
        blur_sigma=0.0,
        jod_target=8.4,
        phone_jod_target=8.4,
    ),
}
DEFAULT_PRESET = "medium"


def preset(name: str | CloakConfig) -> CloakConfig:
    """The config of a named preset (``fast``, ``medium``, ``strong``); a config passes through."""
    if isinstance(name, CloakConfig):
        return name
    try:
        return PRESETS[name]
    except KeyError:
        raise UsageError(f"unknown strength {name!r}; choose one of {', '.join(PRESETS)}") from None
