"""Protection benchmark: does a protected photo still match the person, after a platform?

For every labelled person in ../shared/faces/identities.csv, the first photo is the victim and
the person's other photos are the gallery. The victim is protected with the real product path
(``photoguard.protect`` writing a file), then sent through four channels (as written; JPEG q75;
long side 1280 + JPEG q87; long side 1080 + JPEG q80). The face is re-detected and embedded the
way a bot does it; it is "still matched" by an encoder when its mean similarity to the gallery
is at or above that encoder's 0.1 %-false-accept threshold. Protection success = 1 - matched.

Runs: each preset as shipped (attacks ArcFace + SFace, FaceNet held out for the honest score),
the full three-encoder ensemble, a leave-one-out run per encoder (attack the other two, measure
the third: the transfer estimate) and random noise at the same L-infinity (the harness must
not be fooled by it).

Usage: python benchmarks/protection.py [--people N] [--runs fast,medium,...] [--threads N]
Writes benchmarks/results/protection.md (+ .json), side-by-side face crops of every victim to
benchmarks/results/private/ (git-ignored: the photos must not be committed) and the crop of the
public-domain sample to benchmarks/results/astronaut_medium.png.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import platform
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "faces"
RESULTS = ROOT / "benchmarks" / "results"
ENCODERS = ("arcface", "sface", "facenet")
CHANNELS = ("as written", "JPEG q75", "1280 + q87", "1080 + q80")

from photoguard import metrics  # noqa: E402
from photoguard.cloak.identity import thresholds  # noqa: E402
from photoguard.config import preset  # noqa: E402
from photoguard.faces.detect import detect_faces  # noqa: E402
from photoguard.imageio import decode_image, open_image  # noqa: E402
from photoguard.pipeline import protect  # noqa: E402
from photoguard.types import Face  # noqa: E402
from photoguard.verify import embed_faces, redetect  # noqa: E402


def runs() -> dict[str, tuple[object, str | None]]:
    """Run name -> (config or "noise", encoder whose transfer it estimates)."""
    medium = preset("medium")
    return {
        "fast": (preset("fast"), None),
        "medium": (medium, None),
        "strong": (preset("strong"), None),
        "medium full ensemble": (medium.with_(holdout=None), None),
        "LOO arcface": (medium.with_(holdout="arcface"), "arcface"),
        "LOO sface": (medium.with_(holdout="sface"), "sface"),
        "LOO facenet": (medium.with_(holdout="facenet"), "facenet"),
        "noise": ("noise", None),
    }


def channel(data: bytes, name: str) -> np.ndarray:
    """Decode ``data`` and apply a platform channel; returns RGB uint8."""
    rgb = decode_image(data).rgb
    if name == "as written":
        return rgb
    quality, side = {"JPEG q75": (75, None), "1280 + q87": (87, 1280), "1080 + q80": (80, 1080)}[name]
    im = Image.fromarray(rgb)
    if side and max(im.size) > side:
        s = side / max(im.size)
        im = im.resize((round(im.width * s), round(im.height * s)), Image.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


def largest_match(rgb: np.ndarray, face: Face, scale: float) -> Face | None:
    """The face re-detected in ``rgb`` (a copy resized by ``scale``) that matches ``face``."""
    scaled = Face(box=tuple(v * scale for v in face.box), landmarks=face.landmarks * scale, score=face.score)
    return redetect(rgb, [scaled])[0]


def noise_protect(rgb: np.ndarray, face, eps: int, seed: int) -> np.ndarray:
    """Uniform random noise of L-infinity ``eps`` over the face ellipse (the baseline)."""
    from photoguard.cloak.budget import ellipse_mask

    rng = np.random.default_rng(seed)
    mask = ellipse_mask(rgb.shape[:2], face.box)[0, 0].numpy() > 0.5
    noise = rng.integers(-eps, eps + 1, rgb.shape)
    out = rgb.astype(np.int16) + noise * mask[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def side_by_side(original: np.ndarray, protected: np.ndarray, face) -> Image.Image:
    box = metrics.face_region_box(face, original.shape)
    return Image.fromarray(np.concatenate([metrics.crop(original, box), metrics.crop(protected, box)], 1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=0, help="only the first N people (0 = all)")
    ap.add_argument("--runs", default=",".join(runs()), help="comma-separated run names")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = default)")
    ap.add_argument("--out", type=Path, default=RESULTS / "protection.md")
    ap.add_argument("--merge", action="store_true", help="add these runs to the existing results instead of replacing them")
    ap.add_argument("--variant", action="append", default=[], metavar='NAME=JSON',
                    help='an extra run: the medium preset with these changes, e.g. \'fia={"feature_copies": 8}\' '
                         "(repeatable; the held-out encoder, if any, is its transfer column). For ablations: write them "
                         "to another --out, e.g. benchmarks/results/cloak_ablation.md")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if not FACES.is_dir():
        print(f"face photos not found at {FACES}", file=sys.stderr)
        return 2
    people: dict[str, list[str]] = {}
    for row in csv.DictReader(open(FACES / "identities.csv")):
        people.setdefault(row["identity"], []).append(row["path"])
    ids = sorted(people)[: args.people or None]
    limits = thresholds()
    private = RESULTS / "private"
    private.mkdir(parents=True, exist_ok=True)

    galleries = {}
    for pid in ids:
        embs = {e: [] for e in ENCODERS}
        for p in people[pid][1:]:
            rgb = open_image(FACES / p).rgb
            faces = detect_faces(rgb)
            if faces:
                for e, v in embed_faces(rgb, faces[:1], ENCODERS).items():
                    embs[e].append(v[0])
        galleries[pid] = {e: np.stack(v) for e, v in embs.items()}

    wanted = [name.strip() for name in args.runs.split(",") if name.strip()]
    unknown = set(wanted) - set(runs())
    if unknown:
        print(f"unknown runs: {', '.join(sorted(unknown))}; known: {', '.join(runs())}", file=sys.stderr)
        return 2
    selected = {k: v for k, v in runs().items() if k in wanted}
    for spec in args.variant:
        name, _, changes = spec.partition("=")
        config = preset("medium").with_(**json.loads(changes or "{}"))
        selected[f"{name} {changes}"] = (config, config.holdout)
    table: dict[str, dict] = {}
    if args.merge and args.out.with_suffix(".json").exists():
        table = json.loads(args.out.with_suffix(".json").read_text())
    for run_name, (config, transfer_to) in selected.items():
        rec = {"matched": {c: {e: [] for e in ENCODERS} for c in ("clean",) + CHANNELS},
               "sim": {c: {e: [] for e in ENCODERS} for c in ("clean",) + CHANNELS},
               "psnr": [], "ssim": [], "face_psnr": [], "face_ssim": [], "linf": [], "linf_written": [], "seconds": [],
               "transfer_to": transfer_to}
        print(f"== {run_name}", flush=True)
        for pid in ids:
            src = FACES / people[pid][0]
            loaded = open_image(src)
            faces = detect_faces(loaded.rgb)
            if not faces:
                print(f"   {pid}: no face in {src.name}", flush=True)
                continue
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                if config == "noise":
                    eps = int(preset("medium").epsilon)
                    prot = noise_protect(loaded.rgb, faces[0], eps, seed=0)
                    buf = io.BytesIO()
                    Image.fromarray(prot).save(buf, "PNG")
                    data = buf.getvalue()
                else:
                    result = protect(loaded, strength=config, output=Path(tmp) / f"{src.stem}.jpg", verify=False)
                    data = result.output_path.read_bytes()
                    prot = result.image
                seconds = time.perf_counter() - t0
            written = decode_image(data).rgb
            box = metrics.face_region_box(faces[0], loaded.rgb.shape)
            fo, fp = metrics.crop(loaded.rgb, box), metrics.crop(written, box)
            rec["psnr"].append(metrics.psnr(loaded.rgb, written))
            rec["ssim"].append(metrics.ssim(loaded.rgb, written))
            rec["face_psnr"].append(metrics.psnr(fo, fp))
            rec["face_ssim"].append(metrics.ssim(fo, fp))
            rec["linf"].append(metrics.linf(loaded.rgb, prot))  # the cloak itself, before encoding
            rec["linf_written"].append(metrics.linf(loaded.rgb, written))  # plus the JPEG q95 re-encode
            rec["seconds"].append(seconds)
            if run_name == "medium":
                side_by_side(loaded.rgb, written, faces[0]).save(private / f"{pid}_{src.stem}_medium.png")
            gallery = galleries[pid]
            for ch in ("clean",) + CHANNELS:
                if ch == "clean":
                    img, scale = loaded.rgb, 1.0
                else:
                    img = channel(data, ch)
                    scale = img.shape[1] / loaded.rgb.shape[1]
                face = largest_match(img, faces[0], scale)
                emb = embed_faces(img, [face], ENCODERS) if face is not None else None
                for e in ENCODERS:
                    sim = float((gallery[e] @ emb[e][0]).mean()) if emb is not None else float("nan")
                    rec["sim"][ch][e].append(sim)
                    rec["matched"][ch][e].append(bool(sim >= limits[e]))  # a face not found is not matched
            print(f"   {pid}: face PSNR {rec['face_psnr'][-1]:.1f} dB, "
                  + ", ".join(f"{e} {rec['sim']['clean'][e][-1]:.2f}->{rec['sim']['JPEG q75'][e][-1]:.2f}" for e in ENCODERS)
                  + f", {seconds:.1f} s", flush=True)
        table[run_name] = rec

    # astronaut side-by-side (public domain, committed)
    if "medium" in selected:
        sample = ROOT / "examples" / "astronaut.png"
        res = protect(sample, strength="medium", verify=False)
        loaded = open_image(sample)
        side_by_side(loaded.rgb, res.image, detect_faces(loaded.rgb)[0]).save(RESULTS / "astronaut_medium.png")

    order = list(runs())
    table = dict(sorted(table.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
    write_report(table, ids, args, limits)
    return 0


def _nanmean(values) -> float:
    arr = np.array(values, dtype=float)
    return float(np.nanmean(arr)) if np.isfinite(arr).any() else float("nan")


def write_report(table: dict, ids: list[str], args, limits: dict[str, float]) -> None:
    lines = [
        "# Protection benchmark",
        "",
        "Command: `" + " ".join(["python benchmarks/protection.py", *sys.argv[1:]]) + "`"
        + (f" (merged into the runs already in {args.out.with_suffix('.json').name})" if args.merge else "")
        + f" on {date.today().isoformat()}, "
        f"{platform.processor() or platform.machine()}, torch {torch.__version__}, {torch.get_num_threads()} threads.",
        f"{len(ids)} people (victim = first photo, gallery = the others). Threshold at 0.1 % false accepts: "
        + ", ".join(f"{e} {limits[e]:.3f}" for e in ENCODERS) + ".",
        "Protection success = share of victims whose protected photo is NOT matched to their gallery "
        "(mean similarity below the threshold). Runs named after presets attack ArcFace + SFace and keep "
        "FaceNet out for the honest score; LOO runs attack the other two encoders and the bold column is the "
        "held-out encoder (transfer estimate).",
        "",
        "## Protection success rate by channel",
        "",
        "| run | channel | arcface | sface | facenet | mean sim before -> after (arc / sf / fn) |",
        "|---|---|---|---|---|---|",
    ]
    for run, rec in table.items():
        for ch in ("clean",) + CHANNELS:
            cells = []
            for e in ENCODERS:
                m = rec["matched"][ch][e]
                rate = 100.0 * (1 - sum(m) / len(m)) if m else float("nan")
                cell = f"{rate:.0f} %"
                cells.append(f"**{cell}**" if e == rec["transfer_to"] else cell)
            sims = " / ".join(f"{_nanmean(rec['sim']['clean'][e]):.2f} -> {_nanmean(rec['sim'][ch][e]):.2f}" for e in ENCODERS)
            lines.append(f"| {run} | {ch} | " + " | ".join(cells) + f" | {sims} |")
    lines += [
        "",
        "## Quality and speed (as written)",
        "",
        "| run | PSNR photo (dB) | SSIM photo | PSNR face region (dB) | SSIM face region | min face PSNR | L-inf max, cloak / as written (/255) | s / photo (mean, max) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run, rec in table.items():
        lines.append(
            f"| {run} | {np.mean(rec['psnr']):.2f} | {np.mean(rec['ssim']):.4f} | {np.mean(rec['face_psnr']):.2f} | "
            f"{np.mean(rec['face_ssim']):.4f} | {np.min(rec['face_psnr']):.2f} | "
            + (f"{max(rec['linf'])} / {max(rec['linf_written'])} | " if rec.get("linf_written") else f"n/a / {max(rec['linf'])} | ")
            + f"{np.mean(rec['seconds']):.2f}, {np.max(rec['seconds']):.2f} |"
        )
    lines += [
        "",
        "PSNR, SSIM and the second L-inf are measured on the file as written (JPEG quality 95, 4:4:4, so they include "
        "the re-encode's own loss); the first L-inf is the cloak on the pixels before encoding (n/a for runs "
        "recorded before that column existed). "
        "Face region = largest face box plus 20 % margin on each side. Seconds include detection, the cloak, "
        "encoding and writing (no verification), models already loaded. The clean rows show the harness: "
        "unprotected photos are matched. The noise run is uniform random noise at the medium preset's L-infinity "
        "over the face ellipse: it must not protect anyone.",
        "",
    ]
    args.out.write_text("\n".join(lines))
    args.out.with_suffix(".json").write_text(json.dumps(table, indent=1, default=str))
    print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
