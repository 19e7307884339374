"""Frozen configuration of the edit defence and its strength presets (one table).

Budgets are in units of 1/255 of the 8-bit range, like the identity cloak's
(:mod:`photoguard.config`): a per-pixel luma budget of ``jnd_scale`` x the just-noticeable
difference (:func:`photoguard.cloak.budget.jnd_map`: little on smooth skin and sky, more in
texture), capped at ``epsilon``, and ``chroma_ratio`` of it for the colour components.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from photoguard.errors import UsageError

#: What :func:`photoguard.protect` can defend against: ``identity`` (the face cloak, always on)
#: and ``edits`` (this opt-in defence against diffusion editing).
AGAINST = ("identity", "edits")
DEFAULT_AGAINST = ("identity",)


@dataclass(frozen=True, kw_only=True)
class EditConfig:
    """Hyper-parameters of the edit defence.

    Attributes:
        jnd_scale: per-pixel luma budget = ``jnd_scale`` x just-noticeable difference.
        epsilon: hard L-infinity cap of the luma budget, 1/255 units (max 16).
        chroma_ratio: budget of Cb/Cr relative to luma (0..1).
        texture_std: local luma standard deviation (1/255 units, Gaussian window sigma 2 px) at
            and above which a pixel gets its whole budget: a regular pattern shows on flat
            areas (sky, walls, smooth skin) long before it does in texture.
        smooth_ratio: the budget multiplier on perfectly flat areas (rising linearly to 1 at
            ``texture_std``).
        photo_rms: cap on the RMS change over the whole photo, 1/255 units (3.0 ~ 38.6 dB PSNR):
            a photo whose budget allows more gets the pattern scaled down to it. None: no cap.
        working_pixels: the resolution an editing model works at (FLUX.2-class editors resize
            to about 1 MP); the pattern is laid out at that scale and resized to the photo.
    """

    jnd_scale: float = 1.0
    epsilon: float = 8.0
    chroma_ratio: float = 0.3
    texture_std: float = 8.0
    smooth_ratio: float = 0.15
    photo_rms: float | None = 3.0
    working_pixels: int = 1_000_000

    def __post_init__(self) -> None:
        checks = [
            (self.jnd_scale > 0, "jnd_scale must be positive"),
            (0 < self.epsilon <= 16, "epsilon must be in (0, 16] (units of 1/255)"),
            (0 <= self.chroma_ratio <= 1, "chroma_ratio must be in [0, 1]"),
            (self.texture_std > 0, "texture_std must be positive"),
            (0 <= self.smooth_ratio <= 1, "smooth_ratio must be in [0, 1]"),
            (self.photo_rms is None or self.photo_rms > 0, "photo_rms must be None or positive"),
            (self.working_pixels >= 64 * 64, "working_pixels must be >= 4096"),
        ]
        for ok, message in checks:
            if not ok:
                raise UsageError(f"invalid edit-defence config: {message}")

    def with_(self, **changes: object) -> EditConfig:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]


#: Strengths of the edit defence; photo PSNR measured in benchmarks/results/edit_defence.md.
EDIT_PRESETS: dict[str, EditConfig] = {
    # photo PSNR >= 42 dB
    "low": EditConfig(jnd_scale=0.6, epsilon=5.0, photo_rms=2.0),
    # the default: photo PSNR >= 38.6 dB; flat areas get 0.15 of the JND budget, texture up to 8/255
    "medium": EditConfig(),
    # photo PSNR >= 34 dB: for people who accept a visible change
    "strong": EditConfig(jnd_scale=1.5, epsilon=12.0, photo_rms=5.0),
}
DEFAULT_EDIT_STRENGTH = "medium"


def edit_preset(name: str | EditConfig) -> EditConfig:
    """The config of a named edit strength (``low``, ``medium``, ``strong``); a config passes through."""
    if isinstance(name, EditConfig):
        return name
    try:
        return EDIT_PRESETS[name]
    except KeyError:
        raise UsageError(f"unknown edit-defence strength {name!r}; choose one of {', '.join(EDIT_PRESETS)}") from None
