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
        working_pixels: the resolution an editing model works at (FLUX.2-class editors resize
            to about 1 MP); the pattern is laid out at that scale and resized to the photo.
    """

    jnd_scale: float = 0.45
    epsilon: float = 4.0
    chroma_ratio: float = 0.3
    working_pixels: int = 1_000_000

    def __post_init__(self) -> None:
        checks = [
            (self.jnd_scale > 0, "jnd_scale must be positive"),
            (0 < self.epsilon <= 16, "epsilon must be in (0, 16] (units of 1/255)"),
            (0 <= self.chroma_ratio <= 1, "chroma_ratio must be in [0, 1]"),
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
    # photo PSNR about 41 dB
    "low": EditConfig(jnd_scale=0.3, epsilon=3.0),
    # the default: photo PSNR >= 38 dB; flat skin / sky get ~1.4-2/255, texture up to 4/255
    "medium": EditConfig(),
    # about 33 dB: visible on smooth areas at 100 %
    "strong": EditConfig(jnd_scale=1.0, epsilon=8.0),
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
