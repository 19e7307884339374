"""Protection benchmark: does a protected photo still match the person, after a platform?

For every labelled person in ../shared/faces/identities.csv, the first photo is the victim and
the person's other photos are the gallery. The victim is protected with the real product path
(``photoguard.protect`` writing a JPEG), then sent through four channels (as written; JPEG q75;
long side 1280 + JPEG q87; long side 1080 + JPEG q80). The face is re-detected and embedded the
way a bot does it (``cv2.warpAffine``, no anti-aliasing); it is "still matched" by an encoder when
its mean similarity to the gallery is at or above that encoder's 0.1 %-false-accept threshold.
Protection success = 1 - matched. Every encoder of the registry is measured in every run.

Runs: each preset as shipped; leave-one-out runs (``LOO <encoder>``: the medium preset with that
encoder removed from the attack as well: it is unseen, the transfer estimate, and the preset's
verification encoder stays held out too, so its verdict can be compared with the unseen
encoder's outcome photo by photo); random noise at the same L-infinity (the harness must not be
fooled by it); and ``--variant`` runs for ablations.

Usage: python benchmarks/protection.py [--people N] [--runs fast,medium,...] [--jobs 2]
Writes benchmarks/results/protection.md (+ .json), side-by-side face crops of every victim to
benchmarks/results/private/ (git-ignored: the photos must not be committed) and the crop of the
public-domain sample to benchmarks/results/astronaut_medium.png.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "faces"
RESULTS = ROOT / "benchmarks" / "results"
from photoguard.channels import CHANNELS as PLATFORM  # noqa: E402  (one table with `photoguard verify`)

CHANNELS = tuple(PLATFORM)
LOO = ("arcface", "facenet", "faceres")  # at least these, per the acceptance


def runs() -> dict[str, object]:
    """Run name -> config (or ``"noise"``)."""
    from photoguard.config import preset

    medium = preset("medium")
    named: dict[str, object] = {"fast": preset("fast"), "medium": medium, "strong": preset("strong")}
    for name in LOO:
        if name != medium.holdout:  # the holdout is unseen in medium itself
            named[f"LOO {name}"] = medium.with_(encoders=tuple(e for e in medium.encoders if e != name))
    named["noise"] = "noise"
    return named


def channel(data: bytes, name: str) -> np.ndarray:
    """Decode ``data`` and apply a platform channel (:data:`photoguard.channels.CHANNELS`); returns RGB uint8."""
    from photoguard.channels import posted
    from photoguard.imageio import decode_image

    return posted(decode_image(data).rgb, name)


def noise_protect(rgb: np.ndarray, face, eps: int, seed: int) -> np.ndarray:
    """Uniform random noise of L-infinity ``eps`` over the face ellipse (the baseline)."""
    from photoguard.cloak.budget import ellipse_mask

    rng = np.random.default_rng(seed)
    mask = ellipse_mask(rgb.shape[:2], face.box)[0, 0].numpy() > 0.5
    noise = rng.integers(-eps, eps + 1, rgb.shape)
    out = rgb.astype(np.int16) + noise * mask[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def side_by_side(original: np.ndarray, protected: np.ndarray, face, amplify: int = 8) -> Image.Image:
    """original | protected | difference x ``amplify`` (around mid-grey) of the face region, at 100 %."""
    from photoguard import metrics

    box = metrics.face_region_box(face, original.shape)
    a, b = metrics.crop(original, box), metrics.crop(protected, box)
    diff = np.clip(128 + amplify * (b.astype(np.int16) - a.astype(np.int16)), 0, 255).astype(np.uint8)
    return Image.fromarray(np.concatenate([a, b, diff], 1))


_GALLERIES: dict[str, dict[str, np.ndarray]] = {}


def _worker_init() -> None:
    import torch

    torch.set_num_threads(1)


def _gallery(paths: list[str]) -> dict[str, np.ndarray]:
    from photoguard.faces.detect import detect_faces
    from photoguard.imageio import open_image
    from photoguard.models.encoders import ENCODER_NAMES
    from photoguard.verify import embed_faces

    key = "|".join(paths)
    if key not in _GALLERIES:
        embs: dict[str, list[np.ndarray]] = {e: [] for e in ENCODER_NAMES}
        for p in paths:
            rgb = open_image(FACES / p).rgb
            faces = detect_faces(rgb)
            if faces:
                for e, v in embed_faces(rgb, faces[:1], ENCODER_NAMES).items():
                    embs[e].append(v[0])
        _GALLERIES[key] = {e: np.stack(v) for e, v in embs.items()}
    return _GALLERIES[key]


def measure(task: tuple[str, object, str, list[str], bool, tuple[str, ...]]) -> dict | None:
    """Protect one victim with ``config`` and measure it on every channel and encoder."""
    from photoguard import metrics
    from photoguard.config import preset
    from photoguard.faces.detect import detect_faces
    from photoguard.imageio import decode_image, open_image
    from photoguard.models.encoders import ENCODER_NAMES, ENCODERS
    from photoguard.pipeline import protect
    from photoguard.types import Face
    from photoguard.verify import embed_faces, redetect

    run_name, config, victim, gallery_paths, save_crop, against = task
    src = FACES / victim
    loaded = open_image(src)
    faces = detect_faces(loaded.rgb)
    if not faces:
        return None
    verdict, verification = None, (None, None)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        if config == "noise":
            prot = noise_protect(loaded.rgb, faces[0], int(preset("medium").epsilon), seed=0)
            buf = io.BytesIO()
            Image.fromarray(prot).save(buf, "PNG")
            data = buf.getvalue()
        else:
            result = protect(
                loaded, strength=config, against=against, output=Path(tmp) / f"{src.stem}.jpg", verify=True
            )
            data = result.output_path.read_bytes()
            prot = result.image
            face_report = next((f for f in result.faces if f.protected), None)
            if face_report is not None and face_report.verification_similarity is not None:
                verdict = bool(face_report.still_recognised)
                verification = (face_report.verification_similarity, face_report.verification_threshold)
        seconds = time.perf_counter() - t0
    written = decode_image(data).rgb
    box = metrics.face_region_box(faces[0], loaded.rgb.shape)
    fo, fp = metrics.crop(loaded.rgb, box), metrics.crop(written, box)
    rec = {
        "victim": victim,
        "seconds": seconds,
        "verification_recognised": verdict,
        "verification_similarity": verification[0],
        "verification_threshold": verification[1],
        "psnr": metrics.psnr(loaded.rgb, written),
        "ssim": metrics.ssim(loaded.rgb, written),
        "face_psnr": metrics.psnr(fo, fp),
        "face_ssim": metrics.ssim(fo, fp),
        "linf": metrics.linf(loaded.rgb, prot),
        "linf_written": metrics.linf(loaded.rgb, written),
        "face_px": float(faces[0].size),
        "sim": {},
        "matched": {},
    }
    if save_crop:
        (RESULTS / "private").mkdir(parents=True, exist_ok=True)
        side_by_side(loaded.rgb, written, faces[0]).save(
            RESULTS / "private" / f"{Path(victim).stem}_{run_name.replace(' ', '_')}.png"
        )
    gallery = _gallery(gallery_paths)
    for ch in ("clean",) + CHANNELS:
        img = loaded.rgb if ch == "clean" else channel(data, ch)
        scale = img.shape[1] / loaded.rgb.shape[1]
        scaled = Face(
            box=tuple(v * scale for v in faces[0].box), landmarks=faces[0].landmarks * scale, score=faces[0].score
        )
        face = redetect(img, [scaled])[0]
        emb = embed_faces(img, [face], ENCODER_NAMES) if face is not None else None
        rec["sim"][ch] = {
            e: float((gallery[e] @ emb[e][0]).mean()) if emb is not None else float("nan") for e in ENCODER_NAMES
        }
        # a face the bot cannot find is not matched
        rec["matched"][ch] = {e: bool(rec["sim"][ch][e] >= ENCODERS[e].threshold) for e in ENCODER_NAMES}
    return rec


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=0, help="only the first N people (0 = all)")
    ap.add_argument("--runs", default=",".join(runs()), help="comma-separated run names ('' for none)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes, one torch thread each")
    ap.add_argument("--out", type=Path, default=RESULTS / "protection.md")
    ap.add_argument(
        "--merge", action="store_true", help="add these runs to the existing results instead of replacing them"
    )
    ap.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="an extra run: the medium preset with these changes, e.g. 'six={\"holdout\": null}' "
        "(repeatable). For ablations, write them to another --out",
    )
    ap.add_argument(
        "--against",
        default="identity",
        help="comma-separated protections for every run: 'identity' (default) or 'identity,edits'",
    )
    args = ap.parse_args()
    from photoguard.config import preset

    against = tuple(a.strip() for a in args.against.split(",") if a.strip())

    if not FACES.is_dir():
        print(f"face photos not found at {FACES}", file=sys.stderr)
        return 2
    people: dict[str, list[str]] = {}
    with open(FACES / "identities.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            people.setdefault(row["identity"], []).append(row["path"])
    ids = sorted(people)[: args.people or None]
    wanted = [name.strip() for name in args.runs.split(",") if name.strip()]
    known = runs()
    unknown = set(wanted) - set(known)
    if unknown:
        print(f"unknown runs: {', '.join(sorted(unknown))}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    selected = {k: v for k, v in known.items() if k in wanted}
    for spec in args.variant:
        name, _, changes = spec.partition("=")
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(changes or "{}").items()}
        selected[name] = preset("medium").with_(**fields)
    table: dict[str, dict] = {}
    if args.merge and args.out.with_suffix(".json").exists():
        table = json.loads(args.out.with_suffix(".json").read_text())
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(args.jobs, initializer=_worker_init) as pool:
        for run_name, config in selected.items():
            print(f"== {run_name}", flush=True)
            t0 = time.perf_counter()
            tasks = [(run_name, config, people[pid][0], people[pid][1:], run_name == "medium", against) for pid in ids]
            records = [r for r in pool.map(measure, tasks, chunksize=1) if r is not None]
            attacked = [] if config == "noise" else list(config.attack_encoders)
            holdout = None if config == "noise" else config.holdout
            table[run_name] = {
                "attacked": attacked,
                "holdout": holdout,
                "records": records,
                "config": None if config == "noise" else config.to_dict(),
                "wall_seconds": time.perf_counter() - t0,
            }
            print(summary(run_name, table[run_name]), flush=True)
    if "medium" in selected and against == ("identity",):
        from photoguard.faces.detect import detect_faces
        from photoguard.imageio import open_image
        from photoguard.pipeline import protect

        sample = ROOT / "examples" / "astronaut.png"
        res = protect(sample, strength="medium", verify=False)
        loaded = open_image(sample)
        side_by_side(loaded.rgb, res.image, detect_faces(loaded.rgb)[0]).save(RESULTS / "astronaut_medium.png")
    order = list(known)
    table = dict(sorted(table.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
    write_report(table, ids, args)
    return 0


def success(records: list[dict], ch: str, encoder: str) -> float:
    """Protection success (%) of ``encoder`` on channel ``ch``."""
    matched = [r["matched"][ch][encoder] for r in records]
    return 100.0 * (1 - sum(matched) / len(matched)) if matched else float("nan")


def unseen(run: dict) -> list[str]:
    from photoguard.models.encoders import ENCODER_NAMES

    return [e for e in ENCODER_NAMES if e not in run["attacked"]] if run["attacked"] else []


def agreement(run: dict, encoders: list[str]) -> tuple[int, int, int] | None:
    """``(agree, photos, optimistic)``: the verification verdict vs "some of ``encoders`` still matches
    the gallery on some channel"; optimistic = the verdict said protected but one matched."""
    pairs = [
        (r["verification_recognised"], any(r["matched"][ch][e] for ch in CHANNELS for e in encoders))
        for r in run["records"]
        if r["verification_recognised"] is not None
    ]
    if not encoders or not pairs:
        return None
    return sum(a == b for a, b in pairs), len(pairs), sum(1 for a, b in pairs if b and not a)


def summary(name: str, run: dict) -> str:
    from photoguard.models.encoders import ENCODER_NAMES

    recs = run["records"]
    parts = []
    for e in ENCODER_NAMES:
        rates = [success(recs, ch, e) for ch in CHANNELS]
        mark = "*" if e in unseen(run) else ""
        parts.append(f"{e}{mark} {min(rates):.0f}-{max(rates):.0f}")
    return (
        f"{name}: " + ", ".join(parts) + f" | face PSNR {np.mean([r['face_psnr'] for r in recs]):.2f} "
        f"(worst {min(r['face_psnr'] for r in recs):.2f}), photo {np.mean([r['psnr'] for r in recs]):.2f}, "
        f"{np.mean([r['seconds'] for r in recs]):.1f} s/photo"
    )


def write_report(table: dict, ids: list[str], args) -> None:
    from photoguard.models.encoders import ENCODER_NAMES, ENCODERS
    from photoguard.verify import can_judge

    header = " | ".join(ENCODER_NAMES)
    lines = [
        "# Protection benchmark",
        "",
        "Command: `"
        + " ".join(["python benchmarks/protection.py", *sys.argv[1:]])
        + "`"
        + (f" (merged into the runs already in {args.out.with_suffix('.json').name})" if args.merge else "")
        + f" on {date.today().isoformat()}, {platform.processor() or platform.machine()}, "
        f"{args.jobs} worker process(es) with one torch thread each.",
        f"{len(ids)} people (victim = first photo, gallery = the others). Thresholds at 0.1 % false accepts: "
        + ", ".join(f"{e} {ENCODERS[e].threshold:.3f}" for e in ENCODER_NAMES)
        + ".",
        "Protection success = share of victims whose protected photo is NOT matched to their gallery (mean "
        "similarity below the threshold). **Bold** = an encoder the run's cloak never saw (the preset's "
        "verification encoder, and the left-out encoder of a LOO run): those columns are transfer.",
        "",
        "## Protection success rate by channel",
        "",
        f"| run | attacked | channel | {header} |",
        "|---|---|---|" + "---|" * len(ENCODER_NAMES),
    ]
    for run_name, run in table.items():
        for ch in ("clean",) + CHANNELS:
            cells = []
            for e in ENCODER_NAMES:
                cell = f"{success(run['records'], ch, e):.0f} %"
                cells.append(f"**{cell}**" if e in unseen(run) else cell)
            attacked = ", ".join(run["attacked"]) or "-"
            lines.append(f"| {run_name} | {attacked} | {ch} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Verification verdict vs unseen encoders",
        "",
        "Per photo: the product's verdict (the verification encoder, held out of the attack, compares the "
        'protected face with the original: "still recognised" at or above its photo threshold, the similarity '
        "at which the person's other photos would sit at its 0.1 %-false-accept threshold) against what a bot's "
        "result is judged by: does the encoder still match the person's *other* photos on some channel? First "
        "against the verification encoder's own gallery outcome (calibration), then against the other encoders "
        "this run never saw (the leave-one-out outcome: prediction). MobileFace is left out of these "
        "comparisons: at its own threshold it matches only 46 % of same-person pairs, so its outcome is noise.",
        "",
        '| run | verification encoder | compared with | agree | verdict "protected" but it matched |',
        "|---|---|---|---|---|",
    ]
    judges = [e for e in ENCODER_NAMES if can_judge(e)]  # MobileFace cannot judge
    for run_name, run in table.items():
        others = [e for e in unseen(run) if e != run["holdout"] and e in judges]
        for encoders in ([run["holdout"]] if run["holdout"] else [], others):
            agree = agreement(run, encoders)
            if agree is not None:
                lines.append(
                    f"| {run_name} | {run['holdout']} | {', '.join(encoders)} | {agree[0]} of {agree[1]} "
                    f"({100 * agree[0] / agree[1]:.0f} %) | {agree[2]} |"
                )
    lines += [
        "",
        "## Quality and speed (as written)",
        "",
        "| run | PSNR photo mean / worst (dB) | SSIM photo | PSNR face mean / worst (dB) | SSIM face mean / worst "
        "| L-inf cloak / as written (/255) | s / photo (mean, max) |",
        "|---|---|---|---|---|---|---|",
    ]
    for run_name, run in table.items():
        r = run["records"]
        col = lambda k, r=r: np.array([x[k] for x in r], dtype=float)  # noqa: E731
        lines.append(
            f"| {run_name} | {col('psnr').mean():.2f} / {col('psnr').min():.2f} | {col('ssim').mean():.4f} | "
            f"{col('face_psnr').mean():.2f} / {col('face_psnr').min():.2f} | {col('face_ssim').mean():.4f} / "
            f"{col('face_ssim').min():.4f} | {col('linf').max():.0f} / {col('linf_written').max():.0f} | "
            f"{col('seconds').mean():.2f}, {col('seconds').max():.2f} |"
        )
    lines += [
        "",
        "PSNR, SSIM and the second L-inf are measured on the file as written (JPEG quality 95, 4:4:4, so they include "
        "the re-encode's own loss); the first L-inf is the cloak on the pixels before encoding. Face region = largest "
        "face box plus 20 % margin on each side. Seconds include detection, the cloak, the verification check, "
        "encoding and writing, models loaded, with the benchmark's worker processes sharing the CPU (the speed "
        "benchmark, benchmarks/speed.py, is the reference for time). The clean rows show the harness: unprotected "
        "photos are matched. The noise run is uniform random noise at the medium preset's L-infinity over the face "
        "ellipse: it must not protect anyone.",
        "",
    ]
    args.out.write_text("\n".join(lines))
    args.out.with_suffix(".json").write_text(json.dumps(table, indent=1, default=str))
    print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
