"""Batching: the cloak of N faces one at a time vs in one batched optimisation (``protect_many``'s core).

The faces are the public-domain astronaut in N variants (mirrored, shifted by a few pixels), so
every face has its own crop and its own optimisation path. Times the cloak only (faces detected
beforehand, models loaded and warmed up first): N calls of ``IdentityCloak(image, faces)`` against
one ``IdentityCloak.cloak_many`` over the N photos, and reports how far apart the outputs are.
Appends a line to ``benchmarks/results/batching.md``.

Usage::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/batching.py [--faces 4] [--steps 8] [--device cpu]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

from photoguard.cloak.identity import IdentityCloak, PhotoCloak
from photoguard.config import preset
from photoguard.faces.detect import detect_faces
from photoguard.imageio import open_image
from photoguard.pipeline import resolve_device

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "batching.md"
HEADER = (
    "| date | device | threads | faces | preset, steps | one at a time (s) | batched (s) | speed-up | "
    "max diff (levels) | values that differ |\n|---|---|---|---|---|---|---|---|---|---|\n"
)


def variants(n: int) -> list[np.ndarray]:
    """``n`` different photos of the astronaut: mirrored every other one, shifted 6 px per pair."""
    rgb = open_image(ROOT / "examples" / "astronaut.png").rgb
    out = []
    for k in range(n):
        image = rgb[:, ::-1] if k % 2 else rgb
        shift = 6 * (k // 2)
        out.append(np.ascontiguousarray(image[shift:, shift:]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=int, default=4)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    device = resolve_device(args.device)
    cloak = IdentityCloak(preset(args.preset).with_(steps=args.steps), device)
    photos = variants(args.faces)
    faces = [detect_faces(p)[:1] for p in photos]
    cloak(photos[0], faces[0])  # warm-up: first-call allocations and kernel choices

    def synced() -> float:
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter()

    t0 = synced()
    alone = [cloak(p, f)[0] for p, f in zip(photos, faces)]
    t1 = synced()
    together = [out for out, _ in cloak.cloak_many([PhotoCloak(cloak, p, f) for p, f in zip(photos, faces)])]
    t2 = synced()
    diffs = [np.abs(a.astype(int) - b.astype(int)) for a, b in zip(alone, together)]
    worst = max(int(d.max()) for d in diffs)
    changed = float(np.mean([(d > 0).mean() for d in diffs]))
    single, batched = t1 - t0, t2 - t1
    where = f"{device.type} ({platform.processor() or platform.machine()})"
    if device.type == "cuda":
        where = f"cuda ({torch.cuda.get_device_name(device)})"
    line = (
        f"| {time.strftime('%Y-%m-%d')} | {where} | {torch.get_num_threads()} | {args.faces} | "
        f"{args.preset}, {args.steps} | {single:.1f} | {batched:.1f} | {single / batched:.2f}x | {worst} | {changed:.3%} |\n"
    )
    print(HEADER + line, end="")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Batching: N faces one at a time vs one batched optimisation\n\n"
            "Written by `benchmarks/batching.py` (the cloak only; detection and model loading excluded).\n\n" + HEADER
        )
    with RESULTS.open("a") as fh:
        fh.write(line)


if __name__ == "__main__":
    main()
