"""Close-ups at 100 %: the largest faces of ../shared/faces, original | protected | difference.

Large faces are where a cloak shows: the same perturbation, scaled to a 500 px face, becomes
blobs the eye is most sensitive to. This finds the ``--count`` largest detected faces in
../shared/faces, protects each photo with the product path, and writes for each the face region
(box + 20 %) at 1:1 pixels as ``original | protected | (protected - original) x 8 + 128`` to
benchmarks/results/private/closeups/ (git-ignored: the photos must not be published), with the
face PSNR/SSIM and the time.

Usage: python benchmarks/closeups.py [--count 3] [--strength medium] [--variant JSON] [--tag NAME]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from photoguard.config import DEFAULT_PRESET

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "faces"
OUT = ROOT / "benchmarks" / "results" / "private" / "closeups"


def largest_faces(count: int) -> list[tuple[float, Path]]:
    """The ``count`` photos with the largest detected face, as ``(face side px, path)``."""
    from photoguard.faces.detect import detect_faces
    from photoguard.imageio import open_image

    sizes = []
    for path in sorted(FACES.rglob("*")):
        if path.suffix.lower() in (".jpg", ".jpeg", ".png") and path.name != "astronaut.png":
            faces = detect_faces(open_image(path).rgb)
            if faces:
                sizes.append((max(f.size for f in faces), path))
    return sorted(sizes, reverse=True)[:count]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--strength", default=DEFAULT_PRESET)
    ap.add_argument("--variant", default="{}", help="JSON changes to the preset, e.g. '{\"face_px\": 224}'")
    ap.add_argument("--tag", default="", help="suffix of the output names")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from photoguard import metrics
    from photoguard.config import preset
    from photoguard.faces.detect import detect_faces
    from photoguard.imageio import open_image
    from photoguard.pipeline import protect

    changes = {k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(args.variant).items()}
    config = preset(args.strength).with_(**changes)
    OUT.mkdir(parents=True, exist_ok=True)
    for side, path in largest_faces(args.count):
        loaded = open_image(path)
        face = max(detect_faces(loaded.rgb), key=lambda f: f.size)
        t0 = time.perf_counter()
        result = protect(loaded, strength=config, verify=True)
        seconds = time.perf_counter() - t0
        box = metrics.face_region_box(face, loaded.rgb.shape)
        a, b = metrics.crop(loaded.rgb, box), metrics.crop(result.image, box)
        diff = np.clip(128 + 8 * (b.astype(np.int16) - a.astype(np.int16)), 0, 255).astype(np.uint8)
        name = f"{path.stem}_{args.strength}{('_' + args.tag) if args.tag else ''}.png"
        from PIL import Image

        Image.fromarray(np.concatenate([a, b, diff], 1)).save(OUT / name)
        report = next((f for f in result.faces if f.protected), None)
        verdict = (
            ""
            if report is None or report.verification_similarity is None
            else (
                f", {report.verification_encoder} {report.verification_similarity:.2f} (thr {report.verification_threshold:.2f})"
            )
        )
        print(
            f"{path.relative_to(FACES)}: face {side:.0f} px, face PSNR {metrics.psnr(a, b):.2f} dB, "
            f"SSIM {metrics.ssim(a, b):.4f}, photo PSNR {metrics.psnr(loaded.rgb, result.image):.2f} dB"
            f"{verdict}, {seconds:.1f} s -> {OUT / name}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
