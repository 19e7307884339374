"""Verification accuracy and CPU speed of the identity encoders on the labelled face photos.

For every photo of ``identities.csv`` the largest YuNet face is taken, and each encoder sees the
crop its registry entry names (:func:`photoguard.models.encoders.reference_crop`: the 5-point
ArcFace-template warp at its input size, or the square margin crop of the box), so a new entry is
measured with no change here. Every pair of photos is scored by cosine similarity, and per encoder we report mean same-/different-person
similarity, ROC AUC, the threshold at 0.1 % false-accept rate, the true-accept rate there, and
milliseconds per face (batch 1, forward, and forward + backward to the input).

Writes ``benchmarks/results/encoders.md`` and warns when a measured threshold differs from the registry's.
No photo or crop is written anywhere.

Usage:
    .venv/bin/python benchmarks/encoders.py [--faces ../shared/faces] [--repeats 20]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from photoguard.models.encoders import ENCODER_NAMES, ENCODERS, EncoderSpec, reference_crop
from photoguard.models.face_encoder import load_encoder
from photoguard.models.store import find_model

ROOT = Path(__file__).resolve().parents[1]
FAR = 0.001


@dataclass
class Photo:
    path: str
    identity: str
    crops: dict[str, np.ndarray]  # encoder -> its S x S x 3 uint8 BGR crop


def detect_photos(faces_dir: Path) -> tuple[list[Photo], list[str]]:
    """Largest YuNet face of every labelled photo, cropped for every encoder; returns the photos
    and the paths with no face."""
    detector = cv2.FaceDetectorYN.create(str(find_model("yunet_2023mar")), "", (320, 320), 0.6, 0.3, 5000)
    photos, missed = [], []
    with open(faces_dir / "identities.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        bgr = cv2.imread(str(faces_dir / row["path"]), cv2.IMREAD_COLOR)
        if bgr is None:
            missed.append(row["path"])
            continue
        detector.setInputSize((bgr.shape[1], bgr.shape[0]))
        _, dets = detector.detect(bgr)
        if dets is None or len(dets) == 0:
            missed.append(row["path"])
            continue
        det = max(dets, key=lambda d: d[2] * d[3])
        x, y, w, h = (float(v) for v in det[:4])
        landmarks = np.asarray(det[4:14], dtype=np.float64).reshape(5, 2)
        crops = {name: reference_crop(bgr, (x, y, x + w, y + h), landmarks, spec) for name, spec in ENCODERS.items()}
        photos.append(Photo(row["path"], row["identity"], crops))
    return photos, missed


def to_tensor(bgr_images: list[np.ndarray]) -> torch.Tensor:
    """BGR uint8 H x W x 3 images -> N x 3 x H x W RGB float in [0, 1]."""
    rgb = np.stack([im[..., ::-1] for im in bgr_images]).astype(np.float32) / 255.0
    return torch.from_numpy(rgb).permute(0, 3, 1, 2).contiguous()


def roc_auc(same: np.ndarray, diff: np.ndarray) -> float:
    """P(same-pair score > different-pair score), ties counted half (Mann-Whitney U)."""
    scores = np.concatenate([same, diff])
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    ranks[order] = np.arange(1, len(scores) + 1)
    for value in np.unique(sorted_scores):  # average ranks of ties
        tied = scores == value
        if tied.sum() > 1:
            ranks[tied] = ranks[tied].mean()
    u = ranks[: len(same)].sum() - len(same) * (len(same) + 1) / 2
    return float(u / (len(same) * len(diff)))


def far_threshold(diff: np.ndarray, far: float = FAR) -> float:
    """Smallest observed similarity ``t`` with at most ``far`` of different-person pairs above ``t``."""
    ranked = np.sort(diff)[::-1]
    k = int(np.floor(far * len(ranked)))  # how many may lie above t
    return float(ranked[k])


def time_ms(encoder: torch.nn.Module, size: int, repeats: int, backward: bool) -> tuple[float, float]:
    """(median, best) milliseconds per face at batch 1 after 3 warm-up runs."""
    x = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(0))
    times = []
    for i in range(repeats + 3):
        inp = x.clone().requires_grad_(backward)
        start = time.perf_counter()
        if backward:
            encoder(inp).sum().backward()
        else:
            with torch.no_grad():
                encoder(inp)
        if i >= 3:
            times.append(time.perf_counter() - start)
    return 1000.0 * float(np.median(times)), 1000.0 * float(np.min(times))


def evaluate(photos: list[Photo], name: str) -> dict[str, float]:
    encoder = load_encoder(name)
    crops = [p.crops[name] for p in photos]
    with torch.no_grad():
        emb = torch.cat([encoder(to_tensor(crops[i : i + 16])) for i in range(0, len(crops), 16)]).numpy()
    sims = emb @ emb.T
    ids = np.array([p.identity for p in photos])
    iu = np.triu_indices(len(photos), k=1)
    same_mask = ids[iu[0]] == ids[iu[1]]
    same, diff = sims[iu][same_mask], sims[iu][~same_mask]
    threshold = far_threshold(diff)
    return {
        "n_same": int(len(same)),
        "n_diff": int(len(diff)),
        "same": float(same.mean()),
        "diff": float(diff.mean()),
        "auc": roc_auc(same, diff),
        "far_0.001": threshold,
        "tar": float((same > threshold).mean()),
    }


def _crop_words(spec: EncoderSpec) -> str:
    if spec.crop == "margin":
        return f"{spec.name}: square crop of the box, side max(w, h) x (1 + {spec.margin}), {spec.input_size} px"
    return f"{spec.name}: 5-point ArcFace-template warp, {spec.input_size} px"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--faces", type=Path, default=ROOT.parent / "shared" / "faces")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per measurement")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "encoders.md")
    args = parser.parse_args(argv)

    photos, missed = detect_photos(args.faces)
    results = {}
    for name in ENCODER_NAMES:
        res = evaluate(photos, name)
        size = ENCODERS[name].input_size
        res["ms_fwd"], res["ms_fwd_best"] = time_ms(load_encoder(name), size, args.repeats, backward=False)
        res["ms_fwd_bwd"], res["ms_fwd_bwd_best"] = time_ms(load_encoder(name), size, args.repeats, backward=True)
        results[name] = res
        print(name, {k: round(v, 4) for k, v in res.items()}, file=sys.stderr)

    first = next(iter(results.values()))
    lines = [
        "# Identity encoders: verification accuracy and CPU speed",
        "",
        f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        "- command: `.venv/bin/python benchmarks/encoders.py"
        + (f" --repeats {args.repeats}" if args.repeats != 20 else "")
        + "`",
        f"- data: `identities.csv`, {len(photos)} photos with a face"
        + (f" (no face found in: {', '.join(missed)})" if missed else "")
        + f", {first['n_same']} same-person and {first['n_diff']} different-person pairs (all pairs)",
        "- faces: largest YuNet face per photo, cropped as each registry entry says (`reference_crop`): "
        + "; ".join(_crop_words(spec) for spec in ENCODERS.values()),
        "- encoders: photoguard's native PyTorch ports (`load_encoder`), fp32",
        f"- thresholds: similarity above which at most {FAR:.1%} of different-person pairs lie; "
        "TAR = share of same-person pairs above it",
        f"- speed: ms per face (median / best of {args.repeats} runs), batch 1, after warm-up, torch threads = "
        f"{torch.get_num_threads()}; fwd+bwd = forward and gradient to the input pixels; the CPU is shared, "
        "so medians are noisy",
        "",
        "| encoder | same (mean cos) | different (mean cos) | ROC AUC | threshold @ 0.1 % FAR "
        "| TAR @ that threshold | registry threshold | ms fwd (median / best) | ms fwd+bwd (median / best) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['same']:.3f} | {r['diff']:.3f} | {r['auc']:.5f} | {r['far_0.001']:.3f} "
            f"| {r['tar']:.3f} | {ENCODERS[name].threshold:.3f} | {r['ms_fwd']:.1f} / {r['ms_fwd_best']:.1f} "
            f"| {r['ms_fwd_bwd']:.1f} / {r['ms_fwd_bwd_best']:.1f} |"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    for name, r in results.items():
        if abs(r["same"] - ENCODERS[name].same_person_mean) > 0.005:
            print(
                f"{name}: measured same-person mean {r['same']:.3f} differs from the registry's "
                f"{ENCODERS[name].same_person_mean:.3f}: update photoguard/models/encoders.py",
                file=sys.stderr,
            )
        if abs(r["far_0.001"] - ENCODERS[name].threshold) > 0.005:
            print(
                f"{name}: measured threshold {r['far_0.001']:.4f} differs from the registry's "
                f"{ENCODERS[name].threshold:.4f}: update photoguard/models/encoders.py",
                file=sys.stderr,
            )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
