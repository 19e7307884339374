"""ColorVideoVDP's model of human vision for still images, ported to plain PyTorch.

ColorVideoVDP (Mantiuk, Hanji, Ashraf, Asano, Chapiro, SIGGRAPH 2024; PyPI ``cvvdp`` 0.5.7, MIT
licence) predicts how visible the difference between a test and a reference image is, for a
given display seen from a given distance, in JOD units: 10 = indistinguishable, one JOD less =
75 % of people would prefer the reference. This module is its image path (one frame, no temporal
channels) with the calibrated parameters of ``cvvdp_parameters.json`` and the castleCSF table of
``csf_lut_weber_fixed_size.json`` (``csf_weber_fixed_size.npz`` beside this file) of cvvdp 0.5.7:

1. display model: sRGB pixels -> light emitted by the display (cd/m², black level and reflected
   ambient light included) -> DKL opponent colour (achromatic, red-green, yellow-violet);
2. a decimated Laplacian pyramid (bands an octave apart, down to 0.2 cycles per degree) of
   Weber contrast against the local background luminance;
3. per band, contrast sensitivity (castleCSF) at the reference's background luminance, contrast
   masking by the contrast both images share (phase-uncertainty blur, cross-channel pooling);
4. pooling: a 2-norm over pixels, 4-norms over bands and colour channels, then JOD.

It is differentiable and matches the reference implementation to float rounding
(``tests/test_visibility.py`` compares it with ``cvvdp`` where that is installed). The pyramid is
written with strided slices instead of one-channel convolutions, about 3x faster on a CPU.

Example:
    >>> import torch
    >>> ref = torch.full((1, 3, 64, 64), 0.5)
    >>> round(float(jod(ref, ref, DISPLAYS["4k"])[0]), 3)
    10.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Display:
    """A display and how far from it the photo is seen (cvvdp's ``display_models.json``).

    Attributes:
        name: cvvdp's name of the display model.
        peak: peak luminance, cd/m².
        contrast: peak / black level.
        ambient: illuminance of the room, lux.
        reflectivity: share of the ambient light the screen reflects.
        ppd: display pixels per visual degree at the centre (from size, resolution and distance).
    """

    name: str
    peak: float
    contrast: float
    ambient: float
    reflectivity: float
    ppd: float

    @property
    def black(self) -> float:
        """Black level plus reflected ambient light, cd/m²."""
        return self.peak / self.contrast + self.ambient / math.pi * self.reflectivity


#: The two viewing conditions photoguard measures: a 30-inch 4K monitor at 0.75 m in office light
#: (the photo at 100 %: one photo pixel = one display pixel) and a 6-inch phone at 0.4 m.
DISPLAYS: dict[str, Display] = {
    "4k": Display("standard_4k", 200.0, 1000.0, 250.0, 0.005, 75.40244934516305),
    "phone": Display("standard_phone", 500.0, 500.0 / 0.05, 250.0, 0.005, 120.56081547997547),
}


@dataclass(frozen=True)
class Parameters:
    """cvvdp 0.5.7's calibrated model (``cvvdp_parameters.json``, the ``cvvdp_mult_mutual`` model)."""

    mask_p: float = 2.264355182647705
    mask_c: float = -0.7954971194267273
    pu_dilate: float = 3.0
    beta: float = 2.0
    beta_tch: float = 4.0
    beta_sch: float = 4.0
    csf_sigma: float = -1.5
    sensitivity_correction: float = -0.2797423303127289
    jod_a: float = 0.0439569391310215
    jod_exp: float = 0.9302042722702026
    mask_q: tuple[float, float, float] = (1.302622675895691, 2.8885908126831055, 3.6807713508605957)
    ch_chrom_w: float = 1.0
    xcm_weights: tuple[float, ...] = (
        -0.18950104713439941, -5.962151050567627, -4.31834602355957, -1.9321587085723877,
        2.5655593872070312, 0.34406712651252747, -2.719646453857422, -0.4970424771308899,
        3.8118371963500977, -1.0051705837249756, -0.5193376541137695, -0.5653647780418396,
        -7.054771423339844, -5.527150630950928, -3.5106418132781982, -2.08804988861084,
    )  # fmt: skip
    baseband_weight: tuple[float, float, float] = (0.0036334486212581396, 1.6627724170684814, 4.11874532699585)
    d_max: float = 2.5642454624176025
    image_int: float = 0.577918291091919
    min_freq: float = 0.2  #: lowest band centre, cycles per degree
    kernel_a: float = 0.4  #: the pyramid's 5-tap kernel


PARAMS = Parameters()

#: Red-green channel gain of the masking model (achromatic, red-green, yellow-violet).
CHANNEL_GAIN = (1.0, 1.45, 1.0)

# sRGB (BT.709 primaries, D65) -> XYZ -> LMS (CIE 2006) -> DKL (cvvdp's display_model.py).
_RGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.072175], [0.0193339, 0.119192, 0.9503041]]
)
_XYZ_TO_LMS = np.array(
    [
        [0.187596268556126, 0.585168649077728, -0.026384263306304],
        [-0.133397430663221, 0.405505777260049, 0.034502127690364],
        [0.000244379021663, -0.000542995890619, 0.019406849066323],
    ]
)
_LMS_TO_DKL = np.array([[1.0, 1.0, 0.0], [1.0, -2.311130179947035, 0.0], [-1.0, -1.0, 50.977571328718781]])
RGB_TO_DKL = torch.tensor(_LMS_TO_DKL @ _XYZ_TO_LMS @ _RGB_TO_XYZ, dtype=torch.float32)


def srgb_to_linear(v: torch.Tensor) -> torch.Tensor:
    """sRGB-encoded values in [0, 1] -> relative linear light in [0, 1]."""
    return torch.where(v > 0.04045, ((v + 0.055) / 1.055) ** 2.4, v / 12.92)


def to_dkl(rgb: torch.Tensor, display: Display) -> torch.Tensor:
    """``B x 3 x H x W`` sRGB in [0, 1] -> the light the display emits, in DKL (cd/m² units)."""
    y_black = display.peak / display.contrast
    y_refl = display.ambient / math.pi * display.reflectivity
    light = (display.peak - y_black) * srgb_to_linear(rgb.clamp(0.0, 1.0)) + y_black + y_refl
    return torch.einsum("ij,bjhw->bihw", RGB_TO_DKL.to(light.device, light.dtype), light)


# --- the pyramid (cvvdp's lpyr_dec: 5-tap kernel, symmetric borders) ---


def _kernel(a: float = PARAMS.kernel_a) -> tuple[float, ...]:
    return (0.25 - a / 2.0, 0.25, a, 0.25, 0.25 - a / 2.0)


def _reduce_axis(x: torch.Tensor, dim: int) -> torch.Tensor:
    n = x.shape[dim]
    padded = torch.cat([x.narrow(dim, 0, 2).flip(dim), x, x.narrow(dim, n - 2, 2).flip(dim)], dim)
    count = (n + 1) // 2
    index: tuple[slice, ...] = (slice(None),) * (dim % x.dim())
    out = None
    for k, weight in enumerate(_kernel()):
        term = weight * padded.narrow(dim, k, 2 * count - 1)[(*index, slice(None, None, 2))]
        out = term if out is None else out + term
    assert out is not None
    return out


def reduce(x: torch.Tensor, *, height: int | None = None) -> torch.Tensor:
    """One level down the Gaussian pyramid: ``... x H x W`` -> ``... x ceil(H/2) x ceil(W/2)``.

    As in cvvdp 0.5.7, the right border's symmetric padding follows the parity of the *height*
    (its ``gausspyr_reduce`` tests ``shape[-2]`` for the columns too): where height and width
    differ in parity, the last column is padded as if the width had the height's parity.
    ``height``: the whole image's, when ``x`` is a band of its rows (:func:`reduce_in_bands`).
    """
    return _reduce_columns(_reduce_axis(x, -2), x.shape[-2] if height is None else height)


def _reduce_columns(rows: torch.Tensor, height: int) -> torch.Tensor:
    out = _reduce_axis(rows, -1)
    width = rows.shape[-1]
    if height % 2 != width % 2 and width >= 2:
        k = _kernel()
        last, before = rows[..., -1], rows[..., -2]
        if width % 2:  # odd width padded as even: x[W] = x[W-1] only, no x[W+1]
            fix = last * k[4] - last * k[3] - before * k[4]
        else:  # even width padded as odd: x[W] = x[W-1] and x[W+1] = x[W-2]
            fix = last * k[3] + before * k[4] - last * k[4]
        out = torch.cat([out[..., :-1], (out[..., -1] + fix).unsqueeze(-1)], -1)
    return out


def reduce_in_bands(rows_of: Callable[[int, int], torch.Tensor], height: int, *, band: int = 512) -> torch.Tensor:
    """:func:`reduce` of an image made ``band`` rows at a time: ``rows_of(r0, r1)`` returns its rows
    ``r0:r1`` (``B x C x (r1 - r0) x W``), so only a band of the full-size image is ever held.

    The same numbers as reducing the whole image: each band is made with two rows of context on
    either side, and the symmetric padding happens only at the image's own top and bottom.
    """
    band += band % 2
    parts = []
    for r0 in range(0, height, band):
        r1 = min(height, r0 + band)
        c0, c1 = max(0, r0 - 2), min(height, r1 + 2)
        reduced_rows = _reduce_axis(rows_of(c0, c1), -2)
        first = (r0 - c0) // 2
        parts.append(_reduce_columns(reduced_rows[..., first : first + (r1 - r0 + 1) // 2, :], height))
    return torch.cat(parts, -2)


def _expand_axis(x: torch.Tensor, size: int, dim: int) -> torch.Tensor:
    shape = list(x.shape)
    shape[dim] = size + 4
    z = x.new_zeros(shape)
    index: tuple[slice | int, ...] = (slice(None),) * (dim % x.dim())
    z[(*index, slice(2, -2, 2))] = x
    z[(*index, 0)] = x.select(dim, 0)
    z[(*index, -2 + size % 2)] = x.select(dim, -1)
    out = None
    for k, weight in enumerate(_kernel()):
        term = (2.0 * weight) * z.narrow(dim, k, size)
        out = term if out is None else out + term
    assert out is not None
    return out


def expand(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """One level up the Gaussian pyramid, to ``size = (H, W)``."""
    return _expand_axis(_expand_axis(x, size[0], -2), size[1], -1)


def band_frequencies(height: int, width: int, ppd: float) -> list[float]:
    """Centre frequency (cycles per degree) of each Laplacian band of an ``height x width`` image
    seen at ``ppd`` pixels per degree, finest first; the last entry is the base band (cvvdp's 0.1)."""
    max_levels = int(math.floor(math.log2(min(height, width)))) - 1
    freqs = [1.0] + [0.3228 * 2.0**-f for f in range(14)]
    freqs = [f * ppd / 2.0 for f in freqs]
    invalid = [i for i, f in enumerate(freqs) if f <= PARAMS.min_freq]
    levels = int(np.clip((invalid[0] if invalid else max_levels) + 1, 0, max_levels))
    return [freqs[i] for i in range(levels)] + [0.1]


# --- contrast sensitivity (castleCSF, cvvdp's csf.py) ---


@cache
def _csf_table() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    data = np.load(Path(__file__).with_name("csf_weber_fixed_size.npz"))
    return (
        torch.log10(torch.as_tensor(data["L_bkg"], dtype=torch.float32)),
        torch.log10(torch.as_tensor(data["rho"], dtype=torch.float32)),
        torch.as_tensor(data["logS"], dtype=torch.float32),
    )


@cache
def _csf_at(rho: float, channel: int) -> torch.Tensor:
    """log10 sensitivity at frequency ``rho`` for each tabulated luminance (linear in log rho, extrapolated)."""
    _, log_rho, log_s = _csf_table()
    x = torch.log10(torch.tensor(rho, dtype=torch.float32))
    i = int(torch.clamp(torch.searchsorted(log_rho, x.reshape(1)) - 1, 0, len(log_rho) - 2))
    table = log_s[channel]
    slope = (table[:, i + 1] - table[:, i]) / (log_rho[i + 1] - log_rho[i])
    return table[:, i] + slope * (x - log_rho[i])


def sensitivity(rho: float, log_background: torch.Tensor, channel: int) -> torch.Tensor:
    """Contrast sensitivity of ``channel`` (0 achromatic, 1 red-green, 2 yellow-violet) at ``rho``
    cycles per degree and background luminance ``10 ** log_background`` cd/m² (any shape)."""
    log_l, _, _ = _csf_table()
    table = _csf_at(float(rho), channel).to(log_background.device)
    position = ((log_background - log_l[0]) / (log_l[-1] - log_l[0]) * (log_l.numel() - 1)).clamp(0, log_l.numel() - 1)
    low = position.to(torch.int64)
    high = (low + 1).clamp(max=log_l.numel() - 1)
    frac = position - low
    log_s = table[low] * (1.0 - frac) + table[high] * frac
    return 10.0**log_s * 10.0 ** (PARAMS.sensitivity_correction / 20.0)


# --- masking and pooling (cvvdp_metric.py) ---


def safe_pow(x: torch.Tensor, p: float | torch.Tensor) -> torch.Tensor:
    """``x ** p`` with a finite gradient at 0 (ColorVideoVDP's ``safe_pow``)."""
    return (x + 1e-5) ** p - 1e-5**p


def _gaussian_kernel1d(sigma: float, size: int, like: torch.Tensor) -> torch.Tensor:
    xs = torch.linspace(-(size - 1) * 0.5, (size - 1) * 0.5, size, dtype=like.dtype, device=like.device)
    k = torch.exp(-0.5 * (xs / sigma) ** 2)
    return k / k.sum()


def phase_uncertainty(m: torch.Tensor) -> torch.Tensor:
    """Blur a ``B x C x h x w`` masking signal (cvvdp's Gaussian, sigma 3, reflect borders) and scale it."""
    size, pad = int(PARAMS.pu_dilate * 4) + 1, int(PARAMS.pu_dilate * 2)
    scale = 10**PARAMS.mask_c
    if m.shape[-2] <= pad or m.shape[-1] <= pad:
        return m * scale
    b, c, h, w = m.shape
    k = _gaussian_kernel1d(PARAMS.pu_dilate, size, m)
    x = F.pad(m.reshape(b * c, 1, h, w), [size // 2] * 4, mode="reflect")
    x = F.conv2d(x, k.view(1, 1, size, 1))
    x = F.conv2d(x, k.view(1, 1, 1, size))
    return x.reshape(b, c, h, w) * scale


def mask_pool(c: torch.Tensor) -> torch.Tensor:
    """Cross-channel masking: each channel's masker is a weighted sum of all three."""
    weights = (2.0 ** torch.tensor(PARAMS.xcm_weights, dtype=c.dtype, device=c.device)).reshape(4, 4)[:3, :3]
    return torch.einsum("bkhw,kc->bchw", c, weights)


def soft_clamp(d: torch.Tensor) -> torch.Tensor:
    """cvvdp's soft clamping of per-pixel differences at ``10 ** d_max``."""
    top = 10**PARAMS.d_max
    return top * d / (top + d)


def lp_norm(x: torch.Tensor, p: float, dim: int | tuple[int, ...], *, mean: bool) -> torch.Tensor:
    """cvvdp's p-norm (its ``safe_pow`` form, smooth at 0), over ``dim``; ``mean``: divided by the count."""
    dims = (dim,) if isinstance(dim, int) else dim
    count = math.prod(x.shape[d] for d in dims) if mean else 1
    return safe_pow(safe_pow(x, p).sum(dim=dims) / count, 1.0 / p)


def pooled_jod(q: torch.Tensor) -> torch.Tensor:
    """``B x 3 x bands`` per-channel, per-band differences (the base band last) -> ``B`` JODs."""
    weights = torch.ones_like(q)
    weights[:, 1:, :] *= PARAMS.ch_chrom_w
    weights[:, :, -1] *= torch.tensor(PARAMS.baseband_weight, dtype=q.dtype, device=q.device)
    per_channel = lp_norm(q * weights, PARAMS.beta_sch, 2, mean=False)
    total = lp_norm(per_channel, PARAMS.beta_tch, 1, mean=False) * PARAMS.image_int
    return met_to_jod(total)


def met_to_jod(q: torch.Tensor) -> torch.Tensor:
    """cvvdp's mapping of the pooled difference to JOD (linear near 0, so it differentiates there)."""
    q_t = 0.1
    linear = 10.0 - PARAMS.jod_a * q_t ** (PARAMS.jod_exp - 1.0) * q
    power = 10.0 - PARAMS.jod_a * q.clamp_min(q_t) ** PARAMS.jod_exp
    return torch.where(q <= q_t, linear, power)


def band_difference(test: torch.Tensor, reference: torch.Tensor, s: torch.Tensor, *, baseband: bool) -> torch.Tensor:
    """Per-pixel visible difference ``D`` of one band: ``B x 3 x h x w`` contrasts and sensitivities."""
    if baseband:
        return (test - reference).abs() * s
    gain = torch.tensor(CHANNEL_GAIN, dtype=test.dtype, device=test.device).view(1, 3, 1, 1)
    t_p, r_p = test * s * gain, reference * s * gain
    q = torch.tensor(PARAMS.mask_q, dtype=test.dtype, device=test.device).view(1, 3, 1, 1)
    masker = mask_pool(safe_pow(phase_uncertainty(torch.minimum(t_p.abs(), r_p.abs())).abs(), q))
    return soft_clamp(safe_pow((t_p - r_p).abs(), PARAMS.mask_p) / (1.0 + masker))


def contrast_bands(dkl: torch.Tensor, levels: int, *, first: int = 0) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Weber-contrast Laplacian bands of ``B x 3 x H x W`` DKL light and the log10 background
    luminance of each band (``B x 1 x h x w``; the base band's is the image mean): cvvdp's
    ``weber_contrast_pyr`` with ``weber_g1`` contrast. ``first``: the pyramid level ``dkl`` is
    (its bands are scaled as that level's)."""
    gauss = [dkl]
    for _ in range(levels):
        gauss.append(reduce(gauss[-1]))
    bands, backgrounds = [], []
    for i in range(levels):
        expanded = expand(gauss[i + 1], (gauss[i].shape[-2], gauss[i].shape[-1]))
        background = expanded[:, :1].clamp_min(0.01)
        bands.append((gauss[i] - expanded) / background * (1.0 if i + first == 0 else 2.0))
        backgrounds.append(torch.log10(background))
    background = gauss[levels][:, :1].clamp_min(0.01).mean(dim=(-2, -1), keepdim=True)
    bands.append(gauss[levels] / background)
    backgrounds.append(torch.log10(background))
    return bands, backgrounds


def jod(test: torch.Tensor, reference: torch.Tensor, display: Display, *, ppd: float | None = None) -> torch.Tensor:
    """Predicted quality of ``test`` against ``reference`` in JOD (10 = no visible difference).

    Args:
        test: ``B x 3 x H x W`` sRGB in [0, 1] (differentiable).
        reference: ``1 x 3 x H x W`` or ``B x 3 x H x W`` sRGB in [0, 1].
        display: the viewing condition (:data:`DISPLAYS`).
        ppd: pixels per degree, if not the display's own (the photo shown scaled).

    Returns:
        ``B`` JODs, at most 10.
    """
    return jod_of_dkl(to_dkl(test, display), to_dkl(reference, display), ppd or display.ppd)


def jod_of_dkl(test: torch.Tensor, reference: torch.Tensor, ppd: float, *, skip: int = 0) -> torch.Tensor:
    """:func:`jod` of DKL images; with ``skip > 0`` they are the pyramid's level ``skip`` of images
    ``2 ** skip`` times larger seen at ``ppd``, whose ``skip`` finest bands are left out."""
    height, width = test.shape[-2:]
    freqs = band_frequencies(height * 2**skip, width * 2**skip, ppd)[skip:]
    levels = len(freqs) - 1
    reference = reference.expand_as(test)
    both = torch.cat([test, reference])
    bands, backgrounds = contrast_bands(both, levels, first=skip)
    batch = test.shape[0]
    q = []
    for i, rho in enumerate(freqs):
        baseband = i == levels
        log_bg = backgrounds[i][batch:]  # the reference's background sets the sensitivity
        s = torch.cat([sensitivity(rho, log_bg, c) for c in range(3)], 1)
        d = band_difference(bands[i][:batch], bands[i][batch:], s, baseband=baseband)
        q.append(lp_norm(d, PARAMS.beta, (-2, -1), mean=True))
    return pooled_jod(torch.stack(q, -1))
