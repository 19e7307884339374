"""Frozen, validated configurations of the identity cloak, and the named presets.

Budgets are in units of 1/255 of the 8-bit range. Presets trade strength for time and
visibility: ``fast`` (seconds on a CPU), ``medium`` (default: hard to see at 100 %),
``strong`` (for people who accept a visible change).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from photoguard.errors import UsageError

ENCODERS = ("arcface", "sface", "facenet")


@dataclass(frozen=True, kw_only=True)
class CloakConfig:
    """Hyper-parameters of one cloak run.

    Attributes:
        epsilon: hard L-infinity bound of the perturbation, in 1/255 units (max 32).
        jnd_scale: per-pixel budget = ``jnd_scale`` x just-noticeable difference, capped at ``epsilon``.
        chroma_ratio: budget of the Cb/Cr components relative to luminance (0 = luminance only).
        eye_ratio: budget multiplier inside the eye regions (irises change colour visibly).
        steps: optimisation steps per face.
        step_size: first step as a fraction of the per-pixel budget (decays to 20 % of it).
        momentum: gradient momentum (MI-FGSM), 0..1.
        eot_samples: random transformations averaged per step.
        jpeg_quality: range of the simulated JPEG quality.
        rescale: range of the simulated downscale factor (then back up).
        blur_sigma: maximum simulated blur, pixels at working resolution.
        jitter_shift: alignment shift, fraction of the aligned crop side.
        jitter_angle: alignment rotation, degrees.
        jitter_scale: alignment scale change, fraction.
        target_margin: stop pushing an encoder once similarity is this far below its threshold.
        mirror_anchor: push away from the mean embedding of the face and its mirror image.
        rescale_prob: probability that a channel draw downscales at all.
        feature_weight: weight of the mid-level feature-disruption loss (0 = off).
        feature_copies: random pixel-drop copies of the face used to find which mid-level features
            carry its identity (FIA); the feature loss then pushes those down. 0 (default) = the
            cosine to the clean features. FIA raised held-out FaceNet's protection but lowered
            held-out ArcFace's (docs/cloak_experiments.md), so no preset uses it.
        balance_encoders: L1-normalise each attacked encoder's gradient before adding them, so
            that no encoder sets the direction alone because its loss is steeper. Off: it helped
            held-out FaceNet and hurt held-out SFace (docs/cloak_experiments.md).
        lagging_weight: extra weight on an attacked encoder whose similarity is still above (or
            within 0.08 of) its threshold on some of the step's samples, so that the shared
            budget goes first to the encoder that would still recognise the person (0 = off).
            Works on the summed loss, so not together with ``balance_encoders``. Off in every
            preset: on 18 people it changed one person either way (docs/cloak_experiments.md).
        ghost: random re-weighting of the encoders' residual branches ("ghost networks"), 0..1.
        face_rms: cap on the RMS change over the face region (box + 20 %), 1/255 units
            (4.0 ~ 36.1 dB face PSNR before the smoothing of the upsampled cloak); None for no cap.
        photo_rms: cap on the RMS change over the whole photo, 1/255 units (2.1 ~ 41.7 dB). It
            binds on close-ups, where the face is most of the photo: 2.8 protected more of them
            but drew plainly visible contours on a large forehead (docs/cloak_experiments.md).
        encoders: encoders attacked.
        holdout: encoder kept out of the attack and used for the honest verification score.
        face_px: face box side (px) at the working resolution.
        min_face_px: faces smaller than this (px, in the photo) are reported and left alone.
        seed: random seed; the same seed and input give the same output.
    """

    epsilon: float = 12.0
    jnd_scale: float = 3.0
    chroma_ratio: float = 0.2
    eye_ratio: float = 0.5
    steps: int = 30
    step_size: float = 0.25
    momentum: float = 0.5
    eot_samples: int = 2
    jpeg_quality: tuple[float, float] = (50.0, 95.0)
    rescale: tuple[float, float] = (0.5, 1.0)
    blur_sigma: float = 1.2
    jitter_shift: float = 0.03
    jitter_angle: float = 4.0
    jitter_scale: float = 0.04
    target_margin: float = 0.45
    face_rms: float | None = 4.0
    ghost: float = 0.0
    feature_weight: float = 1.0
    mirror_anchor: bool = True
    rescale_prob: float = 1.0
    photo_rms: float | None = 2.1
    balance_encoders: bool = False
    feature_copies: int = 0
    lagging_weight: float = 0.0
    encoders: tuple[str, ...] = ("arcface", "sface", "facenet")
    holdout: str | None = "facenet"
    face_px: int = 160
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
            (0 <= self.momentum < 1, "momentum must be in [0, 1)"),
            (self.eot_samples >= 1, "eot_samples must be >= 1"),
            (1 <= self.jpeg_quality[0] <= self.jpeg_quality[1] <= 100, "jpeg_quality must be a range in 1..100"),
            (0 < self.rescale[0] <= self.rescale[1] <= 1, "rescale must be a range in (0, 1]"),
            (set(self.encoders) <= set(ENCODERS) and len(self.encoders) > 0, f"encoders must be among {ENCODERS}"),
            (self.holdout is None or self.holdout in ENCODERS, f"holdout must be None or one of {ENCODERS}"),
            (self.face_px >= 64, "face_px must be >= 64"),
            (self.feature_copies >= 0, "feature_copies must be >= 0"),
            (self.lagging_weight >= 0, "lagging_weight must be >= 0"),
            (
                not (self.lagging_weight > 0 and self.balance_encoders),
                "lagging_weight weights the summed loss; it cannot be combined with balance_encoders",
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

    def with_(self, **changes: object) -> "CloakConfig":
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return asdict(self)


PRESETS: dict[str, CloakConfig] = {
    # ~1-2 s a face on 2 cores: fewer steps, one channel draw per step, same shaping.
    "fast": CloakConfig(steps=12, eot_samples=1, step_size=0.35),
    # The default: face PSNR >= 36 dB, photo >= 42 dB, L-inf <= 12/255.
    "medium": CloakConfig(),
    # For people who accept a visible change: about 2.5x the energy and a 16/255 bound.
    "strong": CloakConfig(epsilon=16.0, jnd_scale=5.0, chroma_ratio=0.3, steps=40, face_rms=6.5, photo_rms=4.2),
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
