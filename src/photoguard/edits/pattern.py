"""The edit-defence pattern: a small tile, laid out at the editing model's resolution.

The tile (``taef2_pattern.npy``, ``3 x T x T`` float16 in [-1, 1], in (Y, Cb, Cr) order) is made
by :mod:`photoguard.edits.train` against TAEF2 on public-domain pictures and shipped with the
package; :func:`perturbation` multiplies it by the photo's own visibility budget, so what a
photo gets depends on its content (nothing where the budget is zero, less on smooth skin and sky).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from photoguard.cloak.attack import ycc_to_rgb
from photoguard.cloak.budget import ellipse_mask, gaussian_blur, jnd_map, luminance
from photoguard.edits.config import EditConfig
from photoguard.errors import ModelChecksumError, ModelNotFoundError

#: The shipped tile and its sha256 (written by ``python -m photoguard.edits.train``).
PATTERN_FILE = Path(__file__).resolve().with_name("taef2_pattern.npy")
PATTERN_SHA256 = "937c65fa5ddd0ec279c6e3f63146fabee042314faec0037bdfdfa94cd833265c"


@lru_cache(maxsize=2)
def load_pattern(path: str = str(PATTERN_FILE), sha256: str | None = None) -> torch.Tensor:
    """The tile as a ``1 x 3 x T x T`` float32 tensor in [-1, 1] (Y, Cb, Cr).

    Args:
        path: the ``.npy`` file.
        sha256: its expected hash (None: :data:`PATTERN_SHA256` for the shipped file, no check otherwise).

    Raises:
        ModelNotFoundError: the file is missing (a broken install).
        ModelChecksumError: the file's hash is not the expected one.
    """
    file = Path(path)
    if not file.is_file():
        raise ModelNotFoundError(f"edit-defence pattern {file} not found (a broken install? reinstall photoguard)")
    data = file.read_bytes()
    expected = sha256 if sha256 is not None else (PATTERN_SHA256 if file == PATTERN_FILE else None)
    if expected is not None and hashlib.sha256(data).hexdigest() != expected:
        raise ModelChecksumError(f"edit-defence pattern {file} is corrupt (sha256 mismatch); reinstall photoguard")
    tile = np.load(file, allow_pickle=False).astype(np.float32)
    if tile.ndim != 3 or tile.shape[0] != 3 or tile.shape[1] != tile.shape[2]:
        raise ModelChecksumError(f"edit-defence pattern {file} has shape {tile.shape}, expected 3 x T x T")
    return torch.from_numpy(tile).clamp(-1.0, 1.0)[None]


def working_scale(height: int, width: int, pixels: int) -> float:
    """Factor from the photo to the editor's working size (at most ``pixels``; never enlarged)."""
    return min(1.0, math.sqrt(pixels / max(height * width, 1)))


def tiled(tile: torch.Tensor, height: int, width: int, offset: tuple[int, int] = (0, 0)) -> torch.Tensor:
    """``tile`` (``1 x C x T x T``) repeated over ``height x width``, starting ``offset = (dy, dx)`` into it."""
    t = tile.shape[-1]
    dy, dx = offset
    reps = (math.ceil((height + dy) / t), math.ceil((width + dx) / t))
    return tile.repeat(1, 1, *reps)[:, :, dy : dy + height, dx : dx + width]


def texture_weight(image: torch.Tensor, config: EditConfig) -> torch.Tensor:
    """``1 x 1 x H x W`` in [``smooth_ratio``, 1]: how much of its budget a pixel may use, from the
    local luma standard deviation (Gaussian window, sigma 2 px) relative to ``texture_std``."""
    y = luminance(image) * 255.0
    mean = gaussian_blur(y, 2.0)
    std = (gaussian_blur(y * y, 2.0) - mean * mean).clamp_min(0.0).sqrt()
    ratio = config.smooth_ratio
    return ratio + (1.0 - ratio) * (std / config.texture_std).clamp(max=1.0)


def channel_budget(image: torch.Tensor, config: EditConfig) -> torch.Tensor:
    """``1 x 3 x H x W`` per-pixel (Y, Cb, Cr) budget in [0, 1] units for ``image`` (``1 x 3 x H x W``):
    the JND budget capped at ``epsilon``, times :func:`texture_weight`."""
    luma = (jnd_map(image) * config.jnd_scale).clamp(max=config.epsilon / 255.0) * texture_weight(image, config)
    ratios = torch.tensor([1.0, config.chroma_ratio, config.chroma_ratio], dtype=image.dtype, device=image.device)
    return luma * ratios.view(1, 3, 1, 1)


Box = tuple[float, float, float, float]


#: Semi-axes of the spared ellipse in half face-box sides: about the identity cloak's working region
#: (1.7 box sides, :mod:`photoguard.cloak.region`), which holds every encoder's aligned crop. With
#: the pattern up to the face's own ellipse (1.15) ArcFace still lost one of six people after
#: 1080 px + q80 (hair next to the face is textured, so it gets the full budget).
SPARE_GROW = 1.8


def spared(shape: tuple[int, int], boxes: Sequence[Box]) -> torch.Tensor:
    """``1 x 1 x H x W``: 0 over each face's feathered ellipse (:data:`SPARE_GROW`, the identity
    cloak's area), 1 elsewhere."""
    keep = torch.ones(1, 1, *shape)
    for box in boxes:
        keep = torch.minimum(keep, 1.0 - ellipse_mask(shape, box, grow=SPARE_GROW))
    return keep


def perturbation(
    image: torch.Tensor, config: EditConfig, tile: torch.Tensor | None = None, *, faces: Sequence[Box] = ()
) -> torch.Tensor:
    """The edit-defence offsets for a photo.

    The tile is laid out over the photo as the editor would see it (resized to at most
    ``config.working_pixels``), resized to the photo (bilinear), and multiplied by the photo's
    per-pixel budget (:func:`channel_budget`, computed at full resolution: visibility at 100 %),
    then scaled down if its RMS over the photo exceeds ``config.photo_rms``.

    Args:
        image: ``1 x 3 x H x W`` photo in [0, 1].
        config: the strength.
        tile: the pattern (None: the shipped one, :func:`load_pattern`).
        faces: face boxes ``(x0, y0, x1, y1)`` in the photo's pixels to leave to the identity
            cloak (:func:`spared`): with the pattern over the face as well, the cloak lost one of
            six people on ArcFace after JPEG q75 (benchmarks/results/edit_defence_identity/).

    Returns:
        ``1 x 3 x H x W`` RGB offsets, [0, 1] units (add and clamp to [0, 1]).
    """
    if image.dim() != 4 or image.shape[:2] != (1, 3):
        raise ValueError(f"expected a 1 x 3 x H x W photo, got {tuple(image.shape)}")
    tile = (load_pattern() if tile is None else tile).to(image.device, image.dtype)
    height, width = int(image.shape[-2]), int(image.shape[-1])
    s = working_scale(height, width, config.working_pixels)
    work = (max(8, round(height * s)), max(8, round(width * s)))
    layout = tiled(tile, *work)
    if work != (height, width):
        layout = F.interpolate(layout, size=(height, width), mode="bilinear", align_corners=False)
    budget = channel_budget(image, config)
    if faces:
        budget = budget * spared((height, width), faces).to(image.device, image.dtype)
    delta = ycc_to_rgb(layout * budget)
    if config.photo_rms is not None:
        rms = float(delta.pow(2).mean().sqrt())
        cap = config.photo_rms / 255.0
        if rms > cap:
            delta = delta * (cap / rms)
    return delta


def protect_edits(
    image: torch.Tensor, config: EditConfig, tile: torch.Tensor | None = None, *, faces: Sequence[Box] = ()
) -> torch.Tensor:
    """``image`` (``1 x 3 x H x W`` in [0, 1], not modified) with the edit defence added (none over
    ``faces``: see :func:`perturbation`), clamped to [0, 1]."""
    with torch.no_grad():
        return (image + perturbation(image, config, tile, faces=faces)).clamp(0.0, 1.0)
