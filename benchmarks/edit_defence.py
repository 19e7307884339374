"""Edit-defence benchmark: how badly does TAEF2 reproduce a protected photo, after a platform?

For every photo and platform channel (:data:`photoguard.channels.CHANNELS`) the posted copy is
put through what an editing model does first: resized to at most 1 MP, encoded by TAEF2 (the
tiny autoencoder of the FLUX.2 latent space) and decoded. Measured, against the clean photo at
the same size:

- the round trip ``decode(encode(posted))`` (PSNR, SSIM) of the clean photo (the baseline), the
  protected photo (``--against edits`` at the chosen strength) and a random-noise control at the
  same per-pixel budget (a random tile through the same layout: the harness must not be fooled);
- a simulated edit: the latent mixed with Gaussian noise, ``(1 - s) z + s e`` (the rectified-flow
  interpolation an img2img edit starts from) at ``s`` = 0.3, 0.5, 0.7, then decoded, same noise
  for every variant;
- the protected photo's own PSNR / SSIM against the original, and the seconds it took.

As in ``protect()``, the faces the identity cloak takes (detected, >= its minimum size) are left
out of the pattern, so the numbers here are the pattern alone on the rest of the photo.

Photos: public samples (scikit-image, public domain / CC0: astronaut, camera (a standing man),
rocket (sky)) and, when present, the private test photos in ``../shared/faces`` (numbers only;
their pictures go to ``benchmarks/results/private/``, git-ignored). Pictures of the astronaut
are written to ``benchmarks/results/edit_defence/``. A 12 MP timing row uses the astronaut
resized to 4000 x 3000.

Usage: ``python benchmarks/edit_defence.py [--strength medium] [--private N] [--out FILE]``
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch
from PIL import Image

from photoguard.channels import CHANNELS, posted
from photoguard.config import DEFAULT_PRESET, preset
from photoguard.edits.config import EDIT_PRESETS, EditConfig
from photoguard.edits.pattern import load_pattern, perturbation, protect_edits, working_scale
from photoguard.faces.detect import detect_faces
from photoguard.imageio import open_image, to_tensor, to_uint8
from photoguard.metrics import psnr, ssim
from photoguard.models.taef2 import DOWNSAMPLE, TinyAutoencoder, load_taef2

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "faces"
RESULTS = ROOT / "benchmarks" / "results"
PICTURES = RESULTS / "edit_defence"
EDIT_STRENGTHS = (0.3, 0.5, 0.7)
VARIANTS = ("clean", "protected", "noise")
EDITOR_PIXELS = 1_000_000


def public_photos() -> list[tuple[str, Path]]:
    import skimage.data

    folder = Path(skimage.data.__file__).parent
    return [
        (name, folder / f"{name}.{ext}") for name, ext in (("astronaut", "png"), ("camera", "png"), ("rocket", "jpg"))
    ]


def private_photos(limit: int) -> list[tuple[str, Path]]:
    if not FACES.is_dir() or limit <= 0:
        return []
    paths = sorted((FACES / "deepface").glob("*.jpg")) + sorted((FACES / "portraits").glob("*.jpg"))
    step = max(1, len(paths) // limit)
    return [(str(p.relative_to(FACES)), p) for p in paths[::step][:limit]]


def editor_input(rgb: np.ndarray) -> np.ndarray:
    """The photo as an editing model takes it: at most 1 MP (Lanczos), cropped to a multiple of 8."""
    h, w = rgb.shape[:2]
    s = working_scale(h, w, EDITOR_PIXELS)
    if s < 1:
        rgb = np.asarray(Image.fromarray(rgb).resize((round(w * s), round(h * s)), Image.Resampling.LANCZOS))
    h, w = rgb.shape[:2]
    return rgb[: h // DOWNSAMPLE * DOWNSAMPLE, : w // DOWNSAMPLE * DOWNSAMPLE]


def resized_like(rgb: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``rgb`` resized (Lanczos) to ``like``'s size and cropped the same way."""
    h, w = like.shape[:2]
    src = editor_input(rgb)
    if src.shape[:2] == (h, w):
        return src
    return np.asarray(Image.fromarray(rgb).resize((w, h), Image.Resampling.LANCZOS))


@dataclass
class Scores:
    """PSNR / SSIM per (channel, variant, what) for one photo; ``what`` is ``rt`` or ``edit s``."""

    photo_psnr: float = 0.0
    photo_ssim: float = 0.0
    noise_psnr: float = 0.0
    seconds: float = 0.0
    pixels: int = 0
    psnr: dict[tuple[str, str, str], float] = field(default_factory=dict)
    ssim: dict[tuple[str, str, str], float] = field(default_factory=dict)


def round_trips(ae: TinyAutoencoder, rgb: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """``rt`` and ``edit s`` decodes of one editor input (uint8)."""
    with torch.no_grad():
        z = ae.encode(to_tensor(rgb))
        noise = torch.randn(z.shape, generator=torch.Generator().manual_seed(seed))
        out = {"rt": to_uint8(ae.decode(z).clamp(0, 1))}
        for s in EDIT_STRENGTHS:
            out[f"edit {s}"] = to_uint8(ae.decode((1 - s) * z + s * noise).clamp(0, 1))
    return out


def measure(ae: TinyAutoencoder, name: str, path: Path, config: EditConfig, pictures: Path | None) -> Scores:
    rgb = open_image(path).rgb
    image = to_tensor(rgb)
    # as protect() does: the faces the identity cloak takes are left to it
    faces = [f.box for f in detect_faces(rgb) if preset(DEFAULT_PRESET).too_small(f) is None]
    t0 = time.perf_counter()
    protected = to_uint8(protect_edits(image, config, faces=faces))
    seconds = time.perf_counter() - t0
    random_tile = torch.from_numpy(np.sign(np.random.default_rng(0).standard_normal(load_pattern().shape))).float()
    with torch.no_grad():
        noisy = to_uint8((image + perturbation(image, config, random_tile, faces=faces)).clamp(0, 1))
    sc = Scores(psnr(rgb, protected), ssim(rgb, protected), psnr(rgb, noisy), seconds, rgb.shape[0] * rgb.shape[1])
    for ch in CHANNELS:
        decoded: dict[str, dict[str, np.ndarray]] = {}
        for variant, photo in (("clean", rgb), ("protected", protected), ("noise", noisy)):
            inp = editor_input(posted(photo, ch))
            reference = resized_like(rgb, inp)
            decoded[variant] = round_trips(ae, inp, seed=1)
            for what, out in decoded[variant].items():
                sc.psnr[(ch, variant, what)] = psnr(out, reference)
                sc.ssim[(ch, variant, what)] = ssim(out, reference)
        if pictures is not None and ch in ("JPEG q75", "1080 + q80"):
            _picture(pictures / f"{name.replace('/', '_')}_{ch.replace(' ', '').replace('+', '_')}.jpg", decoded)
    if pictures is not None:
        _crops(pictures / f"{name.replace('/', '_')}_crops.png", rgb, protected)
    return sc


def _picture(path: Path, decoded: dict[str, dict[str, np.ndarray]]) -> None:
    """Rows clean / protected / noise; columns round trip, edit 0.3, 0.5, 0.7."""
    rows = [
        np.concatenate([decoded[v][w] for w in ("rt", *(f"edit {s}" for s in EDIT_STRENGTHS))], 1) for v in VARIANTS
    ]
    grid = np.concatenate(rows, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(path, quality=90)  # to look at, not to measure: JPEG keeps the file small


def _crops(path: Path, rgb: np.ndarray, protected: np.ndarray, side: int = 160) -> None:
    """100 % crops (centre, and the centre-left third): original | protected | difference x 16 + 128."""
    h, w = rgb.shape[:2]
    tiles = []
    for cy, cx in ((h // 3, w // 2), (h // 2, w // 3)):
        y0, x0 = max(0, cy - side // 2), max(0, cx - side // 2)
        a, b = rgb[y0 : y0 + side, x0 : x0 + side], protected[y0 : y0 + side, x0 : x0 + side]
        diff = np.clip((b.astype(np.int16) - a.astype(np.int16)) * 16 + 128, 0, 255).astype(np.uint8)
        tiles.append(np.concatenate([a, b, diff], 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate(tiles, 0)).save(path)


def time_12mp(config: EditConfig, repeats: int = 2) -> float:
    """Seconds for :func:`protect_edits` on a 4000 x 3000 photo (the astronaut, resized), best of ``repeats``."""
    rgb = np.asarray(Image.open(public_photos()[0][1]).convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC))
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        image = to_tensor(rgb)
        to_uint8(protect_edits(image, config))
        best = min(best, time.perf_counter() - t0)
    return best


def _mean(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def report(groups: dict[str, list[Scores]], strength: str, seconds_12mp: float, args: argparse.Namespace) -> str:
    load = os.getloadavg()
    lines = [
        "# Edit-defence benchmark (TAEF2)",
        "",
        f"Command: `python benchmarks/edit_defence.py {' '.join(sys.argv[1:])}` on {date.today().isoformat()}, "
        f"{platform.processor() or platform.machine()}, one torch thread; load average at the end "
        f"{load[0]:.1f} / {load[1]:.1f} (other sessions share the 2 cores). Strength `{strength}` "
        f"({EDIT_PRESETS[strength]}).",
        "",
        "Editor: posted copy -> at most 1 MP -> TAEF2 encode -> decode (`rt`), or the latent mixed with noise "
        "`(1 - s) z + s e` then decoded (`edit s`). PSNR / SSIM against the clean photo at the same size; "
        "higher = the editor reproduces the photo better. `drop` = clean minus protected (the defence's effect); "
        "`noise` = random tile at the same per-pixel budget (the control).",
        "",
        f"12 MP (4000 x 3000) photo: adding the edit defence took **{seconds_12mp:.2f} s** (best of 2, "
        "budget at full resolution, the tile laid out at 1 MP; no face spared).",
        "Faces the identity cloak takes are left out of the pattern, as in `protect()`.",
        "",
    ]
    for group, scores in groups.items():
        if not scores:
            continue
        lines += [
            f"## {group}: {len(scores)} photo(s)",
            "",
            f"Photo itself: protected PSNR {_mean([s.photo_psnr for s in scores]):.2f} dB (min "
            f"{min(s.photo_psnr for s in scores):.2f}), SSIM {_mean([s.photo_ssim for s in scores]):.4f}; noise "
            f"control PSNR {_mean([s.noise_psnr for s in scores]):.2f} dB; "
            f"{_mean([s.seconds for s in scores]):.2f} s per photo "
            f"({_mean([s.pixels for s in scores]) / 1e6:.2f} MP mean).",
            "",
            "| channel | measure | clean PSNR | protected PSNR | **drop** | noise PSNR | noise drop "
            "| clean SSIM | protected SSIM | noise SSIM |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for ch in CHANNELS:
            for what in ("rt", *(f"edit {s}" for s in EDIT_STRENGTHS)):
                p = {v: _mean([s.psnr[(ch, v, what)] for s in scores]) for v in VARIANTS}
                q = {v: _mean([s.ssim[(ch, v, what)] for s in scores]) for v in VARIANTS}
                lines.append(
                    f"| {ch} | {what} | {p['clean']:.2f} | {p['protected']:.2f} | **{p['clean'] - p['protected']:.2f}** "
                    f"| {p['noise']:.2f} | {p['clean'] - p['noise']:.2f} | {q['clean']:.4f} | {q['protected']:.4f} "
                    f"| {q['noise']:.4f} |"
                )
        lines.append("")
    lines += [
        "Pictures (astronaut, public domain): `edit_defence/astronaut_<channel>.jpg`, rows clean / protected / "
        "noise, columns round trip, edit 0.3, 0.5, 0.7; `edit_defence/astronaut_crops.png`: 100 % crops, "
        "original | protected | difference x 16.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--strength", default="medium", choices=list(EDIT_PRESETS))
    ap.add_argument("--private", type=int, default=12, help="private test photos from ../shared/faces (0 = none)")
    ap.add_argument("--out", type=Path, default=RESULTS / "edit_defence.md")
    args = ap.parse_args()
    torch.set_num_threads(1)
    config = EDIT_PRESETS[args.strength]
    ae = load_taef2()
    groups: dict[str, list[Scores]] = {"public samples": [], "private test photos": []}
    for name, path in public_photos():
        print(f"{name} ...", flush=True)
        pictures = PICTURES if name == "astronaut" else RESULTS / "private" / "edit_defence"
        groups["public samples"].append(measure(ae, name, path, config, pictures))
    for name, path in private_photos(args.private):
        print(f"{name} ...", flush=True)
        groups["private test photos"].append(measure(ae, name, path, config, None))
    seconds = time_12mp(config)
    args.out.write_text(report(groups, args.strength, seconds, args))
    print(args.out.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
