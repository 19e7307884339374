"""A fast visibility estimate for the cloak's optimisation: the model linearised around one crop.

The cloak changes a clean working crop by a small perturbation, many times, and needs each time
how visible the change is and in which direction it grows fastest. :class:`CropVisibility`
computes everything that depends on the clean crop alone once (its light, pyramid, background
luminance, contrast sensitivity and contrast masking, :mod:`photoguard.visibility.model`); a call
then costs the pyramid of the change and a few element-wise operations. Two approximations:
the masker is the clean crop's own contrast (the model's is the smaller of the clean and changed
contrast) and the change does not move the background luminance. Both hold for changes near
threshold; the product's final word is :func:`~photoguard.visibility.measure.face_jod` on the file
as written.

A working crop is the photo downsampled by ``scale``: seen at ``scale x`` the display's pixels
per degree, its bands are the photo's bands at the same visual frequencies (finer detail than the
crop holds is left out, where the cloak has nothing).
"""

from __future__ import annotations

import torch

from photoguard.visibility.measure import PHONE_WIDTH
from photoguard.visibility.model import (
    CHANNEL_GAIN,
    DISPLAYS,
    PARAMS,
    Display,
    band_frequencies,
    contrast_bands,
    expand,
    lp_norm,
    mask_pool,
    phase_uncertainty,
    pooled_jod,
    reduce,
    safe_pow,
    sensitivity,
    soft_clamp,
    to_dkl,
)


class CropVisibility:
    """JOD of ``clean + change`` against ``clean``, for one crop, fast and differentiable.

    Args:
        clean: ``1 x 3 x H x W`` sRGB crop in [0, 1].
        display: the viewing condition.
        ppd: pixels per degree of the crop as seen (the display's, times the crop's scale).
        window: ``(x0, y0, x1, y1)`` crop pixels pooled (the face region); None for all.

    Example:
        >>> import torch
        >>> from photoguard.visibility.model import DISPLAYS
        >>> clean = torch.rand(1, 3, 96, 96) * 0.5 + 0.25
        >>> view = CropVisibility(clean, DISPLAYS["4k"], 40.0)
        >>> change = torch.zeros_like(clean, requires_grad=True)
        >>> jod = view.jod(clean + change)     # B JODs
        >>> jod.sum().backward(); change.grad.shape
        torch.Size([1, 3, 96, 96])
    """

    def __init__(
        self,
        clean: torch.Tensor,
        display: Display,
        ppd: float,
        window: tuple[float, float, float, float] | None = None,
    ) -> None:
        self.display = display
        height, width = clean.shape[-2:]
        self.freqs = band_frequencies(height, width, ppd)
        self.levels = len(self.freqs) - 1
        with torch.no_grad():
            self.clean_dkl = to_dkl(clean, display)
            bands, backgrounds = contrast_bands(self.clean_dkl, self.levels)
        gain = torch.tensor(CHANNEL_GAIN, dtype=clean.dtype, device=clean.device).view(1, 3, 1, 1)
        q = torch.tensor(PARAMS.mask_q, dtype=clean.dtype, device=clean.device).view(1, 3, 1, 1)
        self.weights: list[torch.Tensor] = []  # DKL band amplitude -> sensitivity-scaled contrast
        self.maskers: list[torch.Tensor | None] = []  # 1 + masking, None for the base band
        self.windows: list[tuple[slice, slice]] = []
        for i, rho in enumerate(self.freqs):
            baseband = i == self.levels
            s = torch.cat([sensitivity(rho, backgrounds[i], c) for c in range(3)], 1)
            background = 10.0 ** backgrounds[i]
            scale = 1.0 if i == 0 or baseband else 2.0
            if baseband:
                self.weights.append(s / background)
                self.maskers.append(None)
            else:
                r_p = bands[i] * s * gain
                self.weights.append(s * gain * scale / background)
                self.maskers.append(1.0 + mask_pool(safe_pow(phase_uncertainty(r_p.abs()).abs(), q)))
            self.windows.append(_window(window, (height, width), tuple(backgrounds[i].shape[-2:])))

    def jod(self, perturbed: torch.Tensor) -> torch.Tensor:
        """``B`` JODs of ``B x 3 x H x W`` perturbed crops (sRGB in [0, 1])."""
        return self.jod_of_bands(self.change_bands(perturbed))

    def change_bands(self, perturbed: torch.Tensor) -> list[torch.Tensor]:
        """The Laplacian bands (base band last) of the change in the display's DKL light."""
        gauss = [to_dkl(perturbed, self.display) - self.clean_dkl]
        for _ in range(self.levels):
            gauss.append(reduce(gauss[-1]))
        bands = [gauss[i] - expand(gauss[i + 1], (gauss[i].shape[-2], gauss[i].shape[-1])) for i in range(self.levels)]
        return [*bands, gauss[-1]]

    def jod_of_bands(self, bands: list[torch.Tensor], scale: float = 1.0) -> torch.Tensor:
        """``B`` JODs of a change given by its bands (:meth:`change_bands`), times ``scale``."""
        q = []
        for band, weight, masker, (rows, cols) in zip(bands, self.weights, self.maskers, self.windows):
            contrast = (band * (weight * scale))[..., rows, cols]
            if masker is None:
                d = contrast.abs()
            else:
                d = soft_clamp(safe_pow(contrast.abs(), PARAMS.mask_p) / masker[..., rows, cols])
            q.append(lp_norm(d, PARAMS.beta, (-2, -1), mean=True))
        return pooled_jod(torch.stack(q, -1))


class FaceVisibility:
    """How visible a change of one face's working crop is, in both views the product holds: the
    face region at 100 % on a 4K monitor, and on a phone showing the photo :data:`PHONE_WIDTH` px
    wide, each with its own target. :meth:`jod` is the 4K-equivalent JOD of the view closer to its
    target, so one budget (``10 - monitor target``) covers both.

    Args:
        clean: ``1 x 3 x H x W`` working crop, the photo scaled by ``scale``.
        scale: working pixels per photo pixel.
        window: the face region (box + 20 %) in crop pixels.
        photo_width: the photo's width, pixels (it decides how much a phone shrinks it).
        targets: ``(4K monitor, phone)`` target JODs.
    """

    def __init__(
        self,
        clean: torch.Tensor,
        scale: float,
        window: tuple[float, float, float, float],
        photo_width: int,
        targets: tuple[float, float],
    ) -> None:
        shrink = min(1.0, PHONE_WIDTH / photo_width)  # phone pixels per photo pixel
        monitor, phone = DISPLAYS["4k"], DISPLAYS["phone"]
        self.monitor = CropVisibility(clean, monitor, monitor.ppd * scale, window)
        self.phone = CropVisibility(clean, phone, phone.ppd * scale / shrink, window)
        # The change of light is the same change of pixels times each display's range: one pyramid serves both.
        self.light_ratio = (phone.peak - phone.peak / phone.contrast) / (monitor.peak - monitor.peak / monitor.contrast)
        self.phone_weight = (10.0 - targets[0]) / max(10.0 - targets[1], 1e-3)

    def jod(self, perturbed: torch.Tensor) -> torch.Tensor:
        """``B`` 4K-equivalent JODs of ``B x 3 x H x W`` perturbed crops."""
        bands = self.monitor.change_bands(perturbed)
        on_phone = (
            self.phone.jod_of_bands(bands, self.light_ratio)
            if self.phone.levels == self.monitor.levels
            else self.phone.jod(perturbed)
        )
        seen = torch.stack([10.0 - self.monitor.jod_of_bands(bands), (10.0 - on_phone) * self.phone_weight])
        return 10.0 - seen.amax(0)


def _window(
    window: tuple[float, float, float, float] | None, full: tuple[int, int], level: tuple[int, ...]
) -> tuple[slice, slice]:
    """The pooled region at one pyramid level (at least one pixel)."""
    if window is None:
        return slice(None), slice(None)
    fy, fx = level[0] / full[0], level[1] / full[1]
    x0, y0, x1, y1 = window
    r0, c0 = max(0, int(y0 * fy)), max(0, int(x0 * fx))
    return slice(r0, max(r0 + 1, round(y1 * fy))), slice(c0, max(c0 + 1, round(x1 * fx)))
