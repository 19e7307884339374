"""Cloak v3's lever rows (docs/cloak_v3.md): one change to a preset, 6 people, worst-channel margins.

The protection benchmark's own protect-and-score path (benchmarks/protection.py) on the three
largest faces of ../shared/faces and three others, printing per person and on average the face JOD
(4K at 100 %, phone), the face PSNR and, per encoder, the worst channel's margin: the mean
similarity to the person's other photos minus the encoder's threshold (below 0 = protected). A
margin moves smoothly where a success rate on 6 people jumps by 17 points a person.

Usage: python docs/experiments/cloak_levers.py NAME '{"jod_target": 9.2, "blur_sigma": 0.0}'
       [--base medium] [--scale 3] [--jobs 2]
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import protection  # noqa: E402

PEOPLE = (
    "deepface/img24.jpg",
    "portraits/test__obama1.jpg",
    "deepface/img47.jpg",
    "deepface/img1.jpg",
    "deepface/img29.jpg",
    "portraits/test__johnsnow_test1.jpg",
)


def one(task: tuple) -> dict:
    config, victim, gallery, scale = task
    return protection.measure(("lever", config, victim, gallery, scale, ("identity",), None))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("name")
    ap.add_argument("changes", help="JSON changes to the base preset")
    ap.add_argument("--base", default="medium")
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    from photoguard.config import preset
    from photoguard.models.encoders import ENCODER_NAMES, ENCODERS

    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(args.changes).items()}
    config = preset(args.base).with_(**fields)
    galleries: dict[str, list[str]] = {}
    with open(protection.FACES / "identities.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            galleries.setdefault(row["identity"], []).append(row["path"])
    by_victim = {paths[0]: paths[1:] for paths in galleries.values()}
    tasks = [(config, v, by_victim[v], args.scale) for v in PEOPLE]
    with multiprocessing.get_context("spawn").Pool(args.jobs, initializer=protection._worker_init) as pool:
        records = pool.map(one, tasks, chunksize=1)
    worst = {
        e: [max(r["sim"][ch][e] for ch in protection.CHANNELS) - ENCODERS[e].threshold for r in records]
        for e in ENCODER_NAMES
    }
    for i, r in enumerate(records):
        margins = " ".join(f"{e} {worst[e][i]:+.2f}" for e in ENCODER_NAMES)
        print(f"{r['victim']:36s} {r['face_px']:5.0f} px  JOD {r['jod_face']:.2f} phone {r['jod_phone_face']:.2f}  {margins}")
    print(
        f"== {args.name}: face JOD {np.mean([r['jod_face'] for r in records]):.2f} / "
        f"{min(r['jod_face'] for r in records):.2f}, phone {np.mean([r['jod_phone_face'] for r in records]):.2f}, "
        f"face PSNR {np.mean([r['face_psnr'] for r in records]):.1f} | "
        + " ".join(f"{e} {np.mean(worst[e]):+.2f} ({sum(m >= 0 for m in worst[e])})" for e in ENCODER_NAMES)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
