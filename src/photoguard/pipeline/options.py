"""Everything a protect call can be told, with its defaults and checks in one place: :class:`ProtectOptions`.

:func:`photoguard.protect`, :func:`~photoguard.protect_bytes` and :func:`~photoguard.protect_many`
build one from their keyword arguments; the batch operation
(:class:`~photoguard.batch.ProtectOperation`), the CLI and the app build one and pass it on; every
stage of the pipeline reads what it needs from it.

Example:
    >>> options = ProtectOptions(strength="fast", against=["identity", "edits"])
    >>> options.strength_name, options.against, options.config.steps > 0, options.edits is not None
    ('fast', ('identity', 'edits'), True, True)
    >>> ProtectOptions(jpeg_quality=80)
    Traceback (most recent call last):
    ...
    photoguard.errors.UsageError: jpeg_quality must be 90..100: lower quality erodes the cloak
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from photoguard.config import DEFAULT_PRESET, PRESETS, CloakConfig, preset
from photoguard.edits.config import AGAINST, DEFAULT_AGAINST, DEFAULT_EDIT_STRENGTH, EditConfig, edit_preset
from photoguard.errors import UsageError
from photoguard.formats import FORMATS, JPEG_QUALITY, MAX_JPEG_QUALITY, MIN_JPEG_QUALITY, output_format
from photoguard.imageio import DEFAULT_MAX_PIXELS

if TYPE_CHECKING:  # torch loads with the cloak, not with the options
    import torch


@dataclass(frozen=True, kw_only=True)
class ProtectOptions:
    """What a protect call is told (frozen, checked when made).

    Attributes:
        strength: preset name (``fast``, ``medium``, ``light``, ``strong``; :data:`~photoguard.config.PRESETS`)
            or a :class:`~photoguard.config.CloakConfig`.
        against: what to defend against: ``("identity",)`` (default) or ``("identity", "edits")``,
            which adds the whole-photo defence against diffusion editing (:mod:`photoguard.edits`);
            kept as a tuple without repeats.
        edit_strength: the edit defence's strength (``low``, ``medium``, ``strong``) or an
            :class:`~photoguard.edits.config.EditConfig`; checked and used with ``"edits"`` only.
        device: ``auto`` (CUDA when available), ``cpu`` or ``cuda``; resolved when the cloak
            runs (:meth:`torch_device`), so a driver without a GPU can send work to one that has.
        jpeg_quality: quality of JPEG outputs, 90..100 (lower erodes the cloak).
        keep_icc: keep the input's ICC colour profile (the one piece of metadata kept).
        verify: measure the held-out encoder's similarity after protection (about 0.1 s a face).
        max_pixels: refuse photos with more pixels than this (default: the 100 MP limit,
            :data:`~photoguard.imageio.DEFAULT_MAX_PIXELS`).
        overwrite: whether a file already at the path written may be replaced: None (default)
            only when the output names that file itself, never a name made inside a folder (a
            ``photo.HEIC`` written as ``photo.jpg`` must not replace another ``photo.jpg``); True
            always; False never.
        config: the cloak's config (``strength`` looked up; not an argument).
        edits: the edit defence's config, None without ``"edits"`` (not an argument).

    Raises:
        UsageError: an unknown strength, defence or edit strength, ``against`` without
            ``"identity"``, or a JPEG quality outside 90..100.
    """

    strength: str | CloakConfig = DEFAULT_PRESET
    against: Sequence[str] = DEFAULT_AGAINST
    edit_strength: str | EditConfig = DEFAULT_EDIT_STRENGTH
    device: str | torch.device = "auto"
    jpeg_quality: int = JPEG_QUALITY
    keep_icc: bool = True
    verify: bool = True
    max_pixels: int = DEFAULT_MAX_PIXELS
    overwrite: bool | None = None
    config: CloakConfig = field(init=False, repr=False, compare=False)
    edits: EditConfig | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "config", preset(self.strength))
        object.__setattr__(self, "against", checked_against(self.against))
        object.__setattr__(self, "edits", edit_preset(self.edit_strength) if "edits" in self.against else None)
        if not MIN_JPEG_QUALITY <= self.jpeg_quality <= MAX_JPEG_QUALITY:
            raise UsageError(
                f"jpeg_quality must be {MIN_JPEG_QUALITY}..{MAX_JPEG_QUALITY}: lower quality erodes the cloak"
            )

    @property
    def strength_name(self) -> str:
        """The preset's name (:attr:`photoguard.types.ProtectResult.strength`): ``strength`` when it
        names one, the name of the preset a config equals, else ``"custom"``."""
        if isinstance(self.strength, str):
            return self.strength
        return next((name for name, config in PRESETS.items() if config == self.config), "custom")

    def quality_for(self, image_format: str) -> int | None:
        """The JPEG quality a photo of ``image_format`` is written at; None when it is written losslessly."""
        return self.jpeg_quality if FORMATS[output_format(image_format)].lossy else None

    def torch_device(self) -> torch.device:
        """:attr:`device` resolved (:func:`resolve_device`)."""
        return resolve_device(self.device)

    def with_(self, **changes: object) -> ProtectOptions:
        """A copy with some options changed (checked again)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def of_call(cls, arguments: dict[str, Any]) -> ProtectOptions:
        """The options among a public function's arguments (its ``locals()`` on its first line):
        :func:`photoguard.protect` and its siblings keep their keyword arguments and make their
        options here, so an option is named once more in a signature, never in a body."""
        return cls(**{f.name: arguments[f.name] for f in fields(cls) if f.init and f.name in arguments})


def checked_against(against: Sequence[str]) -> tuple[str, ...]:
    """``against`` checked: known names, ``identity`` among them (the edit defence is added to the cloak)."""
    names = tuple(dict.fromkeys(against))
    unknown = [a for a in names if a not in AGAINST]
    if unknown:
        raise UsageError(f"unknown protection {unknown[0]!r}; choose among {', '.join(AGAINST)}")
    if "identity" not in names:
        raise UsageError("the edit defence is added to the identity cloak: against must include 'identity'")
    return names


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; other values are passed to ``torch.device``."""
    import torch

    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise UsageError(f"device {device!r} was asked for but no CUDA GPU is available (use 'auto' or 'cpu')")
    return dev


#: The defaults, which the public functions' keyword arguments take.
DEFAULTS = ProtectOptions()
