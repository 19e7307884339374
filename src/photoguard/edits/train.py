"""Make the edit-defence tile: ``python -m photoguard.edits.train [--steps N] [IMAGE ...]``.

The tile is optimised once, offline, so that protecting a photo costs no network passes: a
photo's defence is the tile times its own budget (:func:`photoguard.edits.pattern.perturbation`).
Objective (an encoder attack in the sense of PhotoGuard, Salman et al. 2023, measured through
the decoder): over random crops of the training pictures, each with the tile at a random phase
and scaled by the crop's budget, then put through a random platform channel and the editor's
resize (:func:`posted_then_resized`), maximise the mean squared difference between TAEF2's round
trip ``decode(encode(.))`` of the protected, posted crop and of the clean crop. Sign steps with
momentum on ``P``; the tile is ``tanh(3 P)``. It is trained at the ``strong`` budget (a larger
signal than JPEG's own noise) and used at every strength.

Training pictures default to scikit-image's public-domain / CC0 samples (a dev dependency);
never train on private photos: the tile is committed.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from photoguard.cloak.attack import ycc_to_rgb
from photoguard.cloak.jpeg import jpeg
from photoguard.edits.config import EDIT_PRESETS, EditConfig
from photoguard.edits.pattern import PATTERN_FILE, channel_budget, tiled
from photoguard.imageio import open_image, to_tensor
from photoguard.models.taef2 import TinyAutoencoder, load_taef2

#: scikit-image samples used by default, all public domain or CC0 (see skimage.data's docstrings).
SKIMAGE_SAMPLES = ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "camera.png", "motorcycle_left.png")


def skimage_samples() -> list[Path]:
    """Paths of :data:`SKIMAGE_SAMPLES` in the installed scikit-image."""
    import skimage.data

    folder = Path(skimage.data.__file__).parent
    return [folder / name for name in SKIMAGE_SAMPLES]


def _uniform(generator: torch.Generator, low: float, high: float) -> float:
    return low + (high - low) * float(torch.rand((), generator=generator))


def posted_then_resized(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A random platform channel, then the editor's resize back to the working size.

    Downscale by ``r`` in [0.85, 1] (bilinear, antialiased), JPEG at quality 60..90 on a random
    8 x 8 grid phase (:func:`photoguard.cloak.jpeg.jpeg`), and back up to ``x``'s size.
    """
    height, width = x.shape[-2:]
    r = _uniform(generator, 0.85, 1.0)
    if r < 0.99:
        x = F.interpolate(x, scale_factor=r, mode="bilinear", antialias=True, align_corners=False)
    dy, dx = (int(torch.randint(8, (1,), generator=generator)) for _ in range(2))
    x = jpeg(F.pad(x, (dx, 0, dy, 0), mode="replicate"), _uniform(generator, 60.0, 90.0))[:, :, dy:, dx:]
    if r < 0.99:
        x = F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False)
    return x


def disruption_loss(
    ae: TinyAutoencoder,
    crops: torch.Tensor,
    tile: torch.Tensor,
    config: EditConfig,
    generator: torch.Generator,
) -> torch.Tensor:
    """Minus the mean squared difference between TAEF2's round trip of the protected, posted crops
    and of the clean crops (to minimise).

    Args:
        ae: TAEF2.
        crops: ``B x 3 x C x C`` in [0, 1], ``C`` a multiple of 8.
        tile: ``1 x 3 x T x T`` in [-1, 1], differentiable.
        config: the strength the tile is trained at.
        generator: random phases and channels.
    """
    t = tile.shape[-1]
    protected = []
    for crop in crops.split(1):
        offset = (int(torch.randint(t, (1,), generator=generator)), int(torch.randint(t, (1,), generator=generator)))
        delta = ycc_to_rgb(tiled(tile, crop.shape[-2], crop.shape[-1], offset) * channel_budget(crop, config))
        protected.append(posted_then_resized((crop + delta).clamp(0, 1), generator))
    with torch.no_grad():
        reference = ae.decode(ae.encode(crops))
    return -(ae.decode(ae.encode(torch.cat(protected))) - reference).pow(2).mean()


def train_tile(
    images: list[torch.Tensor],
    *,
    config: EditConfig,
    tile_size: int = 64,
    steps: int = 300,
    batch: int = 4,
    crop: int = 128,
    step_size: float = 0.05,
    momentum: float = 0.8,
    seed: int = 0,
    log: bool = True,
) -> np.ndarray:
    """Optimise the tile; returns ``3 x T x T`` float16 in [-1, 1] (Y, Cb, Cr).

    Args:
        images: training pictures, ``1 x 3 x H x W`` in [0, 1], each side >= ``crop``.
        config: the strength (budget) it is trained at.
        tile_size: ``T``, a multiple of 8.
        steps, batch, crop: optimisation steps, crops per step, crop side (px).
        step_size, momentum: first sign-step size on ``P`` (cosine decay to a fifth of it) and the
            momentum of the L1-normalised gradient.
        seed: the same seed and pictures give the same tile.
    """
    ae = load_taef2()
    generator = torch.Generator().manual_seed(seed)
    # a random start: at P = 0 the protected and clean round trips agree and the gradient is 0
    p = 0.1 * torch.randn(1, 3, tile_size, tile_size, generator=generator)
    velocity = torch.zeros_like(p)
    t0 = time.perf_counter()
    for step in range(steps):
        crops: list[torch.Tensor] = []
        for _ in range(batch):
            image = images[int(torch.randint(len(images), (1,), generator=generator))]
            scale = _uniform(generator, max(crop / min(image.shape[-2:]), 0.6), 1.0)
            if scale < 0.999:
                image = torch.nn.functional.interpolate(image, scale_factor=scale, mode="bilinear", antialias=True)
            y0 = int(torch.randint(image.shape[-2] - crop + 1, (1,), generator=generator))
            x0 = int(torch.randint(image.shape[-1] - crop + 1, (1,), generator=generator))
            crops.append(image[:, :, y0 : y0 + crop, x0 : x0 + crop])
        p.requires_grad_(True)
        loss = disruption_loss(ae, torch.cat(crops), torch.tanh(3.0 * p), config, generator)
        (grad,) = torch.autograd.grad(loss, p)
        with torch.no_grad():
            velocity = momentum * velocity + grad / grad.abs().mean().clamp_min(1e-12)
            size = step_size * (0.2 + 0.8 * 0.5 * (1 + math.cos(math.pi * step / max(steps - 1, 1))))
            p = p.detach() - size * velocity.sign()
        if log and step % 25 == 0:
            print(f"step {step}: round-trip MSE {-float(loss):.5f} ({time.perf_counter() - t0:.0f} s)", flush=True)
    return torch.tanh(3.0 * p)[0].detach().numpy().astype(np.float16)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="*", type=Path, help="training pictures (default: scikit-image samples)")
    parser.add_argument("--steps", type=int, default=700)
    parser.add_argument("--tile", type=int, default=64)
    parser.add_argument("--crop", type=int, default=128)
    parser.add_argument("--strength", default="strong", help="the budget it is trained at (works at every strength)")
    parser.add_argument("--out", type=Path, default=PATTERN_FILE)
    args = parser.parse_args(argv)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    paths = args.images or skimage_samples()
    images = [to_tensor(open_image(path).rgb) for path in paths]
    config = EDIT_PRESETS[args.strength]
    tile = train_tile(images, config=config, tile_size=args.tile, steps=args.steps, crop=args.crop)
    buffer = io.BytesIO()
    np.save(buffer, tile, allow_pickle=False)
    args.out.write_bytes(buffer.getvalue())
    print(f"wrote {args.out}: sha256 {hashlib.sha256(buffer.getvalue()).hexdigest()}")


if __name__ == "__main__":
    main()
