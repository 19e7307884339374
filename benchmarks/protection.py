"""Protection and visibility benchmark: does a protected photo still match the person after a
platform, and how visible is the cloak?

For every labelled person in ../shared/faces/identities.csv, the first photo is the victim and
the person's other photos are the gallery. The victim is protected with the real product path
(``photoguard.protect`` writing a JPEG), then sent through four channels (as written; JPEG q75;
long side 1280 + JPEG q87; long side 1080 + JPEG q80). The face is re-detected and embedded the
way a bot does it (``cv2.warpAffine``, no anti-aliasing); it is "still matched" by an encoder when
its mean similarity to the gallery is at or above that encoder's 0.1 %-false-accept threshold.
Protection success = 1 - matched. Every encoder of the registry is measured in every run.

Visibility: ColorVideoVDP's JOD (:mod:`photoguard.visibility`, checked equal to the ``cvvdp``
package) of the written file against the original: the largest face's region (box + 20 %) and the
whole photo at 100 % on a 4K monitor, and the face on a phone showing the photo 1080 px wide.

``--scale 3`` runs the selfie-scale case: every victim upscaled 3x (Lanczos, saved as JPEG q95:
faces of 600-1600 px, like a phone selfie; upscaled skin has no fine texture to hide a cloak, so
visibility there is a conservative stand-in), protected and sent through the same channels. Its
originals are cached in benchmarks/results/private/selfie/ (git-ignored).

Runs: each preset as shipped; leave-one-out runs (``LOO <encoder>``: the medium preset with that
encoder removed from the attack as well: it is unseen, the transfer estimate); random noise at the
same L-infinity (the harness must not be fooled by it); ``--variant`` runs (a preset with changes)
and ``--outputs NAME=DIR`` (photos protected elsewhere, e.g. by an earlier version of photoguard
with ``--save DIR``, only scored here).

Usage: python benchmarks/protection.py [--people N] [--runs fast,medium,...] [--jobs 2] [--scale 3]
Writes benchmarks/results/protection.md (+ .json) or --out, side-by-side face crops of every victim
to benchmarks/results/private/ (git-ignored: the photos must not be committed) and the crop of the
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
SELFIES = RESULTS / "private" / "selfie"
from photoguard.channels import CHANNELS as PLATFORM  # noqa: E402  (one table with `photoguard verify`)

CHANNELS = tuple(PLATFORM)
LOO = ("arcface", "facenet", "faceres")  # at least these, per the acceptance


def runs() -> dict[str, object]:
    """Run name -> config (or ``"noise"``)."""
    from photoguard.config import PRESETS, preset

    medium = preset("medium")
    named: dict[str, object] = dict(PRESETS)
    for name in LOO:
        if name != medium.holdout:  # the holdout is unseen in medium itself
            named[f"LOO {name}"] = medium.with_(encoders=tuple(e for e in medium.encoders if e != name))
    named["noise"] = "noise"
    return named


def source(victim: str, scale: int) -> Path:
    """The photo a victim is protected from: the labelled photo, or its ``scale``-times upscale."""
    if scale == 1:
        return FACES / victim
    path = SELFIES / f"x{scale}" / (victim.replace("/", "__").rsplit(".", 1)[0] + ".jpg")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        im = Image.open(FACES / victim).convert("RGB")
        big = im.resize((im.width * scale, im.height * scale), Image.Resampling.LANCZOS)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        big.save(tmp, "JPEG", quality=95)
        os.replace(tmp, path)
    return path


def output_name(victim: str) -> str:
    """The file name a victim's protected photo has in a ``--save``/``--outputs`` folder."""
    return victim.replace("/", "__").rsplit(".", 1)[0] + ".jpg"


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


def protect_victim(config: object, victim: str, scale: int, against: tuple[str, ...]) -> dict:
    """Protect one victim with the product path: ``{"data": bytes, "seconds", "verification..."}``.

    Uses only what every photoguard version has (``protect``, ``open_image``, ``detect_faces``), so
    ``--save`` runs against an earlier checkout too (``PYTHONPATH=<checkout>/src``).
    """
    from photoguard.config import preset
    from photoguard.faces.detect import detect_faces
    from photoguard.imageio import open_image
    from photoguard.pipeline import protect

    loaded = open_image(source(victim, scale))
    out: dict = {"verification_recognised": None, "verification_similarity": None, "verification_threshold": None}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        if config == "noise":
            face = detect_faces(loaded.rgb)[0]
            prot = noise_protect(loaded.rgb, face, int(preset("medium").epsilon), seed=0)
            buf = io.BytesIO()
            Image.fromarray(prot).save(buf, "PNG")
            out["data"] = buf.getvalue()
        else:
            result = protect(loaded, strength=config, against=against, output=Path(tmp) / "out.jpg", verify=True)
            out["data"] = result.output_path.read_bytes()
            face_report = next((f for f in result.faces if f.protected), None)
            if face_report is not None and face_report.verification_similarity is not None:
                out["verification_recognised"] = bool(face_report.still_recognised)
                out["verification_similarity"] = face_report.verification_similarity
                out["verification_threshold"] = face_report.verification_threshold
            out["reported_jod"] = getattr(face_report, "visibility_jod", None) if face_report else None
        out["seconds"] = time.perf_counter() - t0
    return out


def score(victim: str, gallery_paths: list[str], data: bytes, scale: int, save_crop: str | None) -> dict:
    """Measure a protected photo (``data``, the file as written) of ``victim``: quality, visibility
    and, on every channel, each encoder's mean similarity to the person's other photos."""
    from photoguard import metrics
    from photoguard.faces.detect import detect_faces
    from photoguard.imageio import decode_image, open_image
    from photoguard.models.encoders import ENCODER_NAMES, ENCODERS
    from photoguard.types import Face
    from photoguard.verify import embed_faces, redetect
    from photoguard.visibility.measure import face_jod, phone_jod, photo_jod

    original = open_image(source(victim, scale)).rgb
    faces = detect_faces(original)  # on a copy whose long side is <= 1280 px: YuNet misplaces larger faces
    written = decode_image(data).rgb
    box = metrics.face_region_box(faces[0], original.shape)
    fo, fp = metrics.crop(original, box), metrics.crop(written, box)
    rec = {
        "victim": victim,
        "psnr": metrics.psnr(original, written),
        "ssim": metrics.ssim(original, written),
        "face_psnr": metrics.psnr(fo, fp),
        "face_ssim": metrics.ssim(fo, fp),
        "linf_written": metrics.linf(original, written),
        "face_px": float(faces[0].size),
        "jod_face": face_jod(original, written, faces[0]),
        "jod_photo": photo_jod(original, written),
        "jod_phone_face": phone_jod(original, written, faces[0]),
        "sim": {},
        "matched": {},
    }
    if save_crop:
        (RESULTS / "private").mkdir(parents=True, exist_ok=True)
        tag = f"_x{scale}" if scale != 1 else ""
        side_by_side(original, written, faces[0]).save(
            RESULTS / "private" / f"{Path(victim).stem}{tag}_{save_crop}.png"
        )
    gallery = _gallery(gallery_paths)
    for ch in ("clean",) + CHANNELS:
        img = original if ch == "clean" else channel(data, ch)
        k = img.shape[1] / original.shape[1]
        scaled = Face(box=tuple(v * k for v in faces[0].box), landmarks=faces[0].landmarks * k, score=faces[0].score)
        face = redetect(img, [scaled])[0]
        emb = embed_faces(img, [face], ENCODER_NAMES) if face is not None else None
        rec["sim"][ch] = {
            e: float((gallery[e] @ emb[e][0]).mean()) if emb is not None else float("nan") for e in ENCODER_NAMES
        }
        # a face the bot cannot find is not matched
        rec["matched"][ch] = {e: bool(rec["sim"][ch][e] >= ENCODERS[e].threshold) for e in ENCODER_NAMES}
    return rec


def measure(task: tuple) -> dict:
    """Protect one victim with a run's config (or take its file from a folder) and score it."""
    run_name, config, victim, gallery, scale, against, outputs = task
    if outputs is not None:
        path = Path(outputs) / output_name(victim)
        meta = json.loads(path.with_suffix(".json").read_text()) if path.with_suffix(".json").exists() else {}
        protected = {**meta, "data": path.read_bytes()}
    else:
        protected = protect_victim(config, victim, scale, against)
    crop_tag = run_name.replace(" ", "_") if run_name in ("medium", "light") else None
    rec = score(victim, gallery, protected.pop("data"), scale, crop_tag)
    return {**protected, **rec}


def save(task: tuple) -> str:
    """``--save``: protect one victim and write the file (and its timing) into the folder."""
    run_name, config, victim, gallery, scale, against, folder = task
    protected = protect_victim(config, victim, scale, against)
    path = Path(folder) / output_name(victim)
    path.write_bytes(protected.pop("data"))
    path.with_suffix(".json").write_text(json.dumps(protected))
    return victim


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=0, help="only the first N people (0 = all)")
    ap.add_argument("--runs", default=",".join(runs()), help="comma-separated run names ('' for none)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes, one torch thread each")
    ap.add_argument("--scale", type=int, default=1, help="3: the selfie-scale case (victims upscaled 3x)")
    ap.add_argument(
        "--out", type=Path, default=None, help="default: results/protection.md (protection_x3.md for --scale 3)"
    )
    ap.add_argument(
        "--merge", action="store_true", help="add these runs to the existing results instead of replacing them"
    )
    ap.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help='an extra run: a preset with changes, \'name={"base": "medium", "steps": 20}\' (base: medium)',
    )
    ap.add_argument(
        "--outputs", action="append", default=[], metavar="NAME=DIR", help="score photos protected elsewhere"
    )
    ap.add_argument("--save", type=Path, default=None, help="protect with the one run given and only write the files")
    ap.add_argument(
        "--against",
        default="identity",
        help="comma-separated protections for every run: 'identity' (default) or 'identity,edits'",
    )
    args = ap.parse_args()
    from photoguard.config import preset

    against = tuple(a.strip() for a in args.against.split(",") if a.strip())
    out = args.out or RESULTS / ("protection.md" if args.scale == 1 else f"protection_x{args.scale}.md")
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
    selected: dict[str, object] = {k: v for k, v in known.items() if k in wanted}
    for spec in args.variant:
        name, _, changes = spec.partition("=")
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(changes or "{}").items()}
        selected[name] = preset(fields.pop("base", "medium")).with_(**fields)
    folders = dict(spec.partition("=")[::2] for spec in args.outputs)
    for name in folders:
        selected[name] = None
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    ctx = multiprocessing.get_context("spawn")
    if args.save is not None:
        if len(selected) != 1 or folders:
            print("--save takes exactly one run (a preset or a --variant)", file=sys.stderr)
            return 2
        args.save.mkdir(parents=True, exist_ok=True)
        ((name, config),) = selected.items()
        tasks = [(name, config, people[pid][0], people[pid][1:], args.scale, against, str(args.save)) for pid in ids]
        with ctx.Pool(args.jobs, initializer=_worker_init) as pool:
            for victim in pool.imap_unordered(save, tasks):
                print(f"saved {victim}", flush=True)
        return 0
    table: dict[str, dict] = {}
    if args.merge and out.with_suffix(".json").exists():
        table = json.loads(out.with_suffix(".json").read_text())
    with ctx.Pool(args.jobs, initializer=_worker_init) as pool:
        for run_name, config in selected.items():
            print(f"== {run_name}", flush=True)
            t0 = time.perf_counter()
            folder = folders.get(run_name)
            tasks = [(run_name, config, people[pid][0], people[pid][1:], args.scale, against, folder) for pid in ids]
            records = list(pool.map(measure, tasks, chunksize=1))
            configured = config not in (None, "noise")
            table[run_name] = {
                "attacked": list(config.attack_encoders) if configured else [],
                "holdout": config.holdout if configured else None,
                "records": records,
                "config": config.to_dict() if configured else folder,
                "wall_seconds": time.perf_counter() - t0,
            }
            print(summary(run_name, table[run_name]), flush=True)
    if "medium" in selected and against == ("identity",) and args.scale == 1:
        from photoguard.faces.detect import detect_faces
        from photoguard.imageio import open_image
        from photoguard.pipeline import protect

        sample = ROOT / "examples" / "astronaut.png"
        res = protect(sample, strength="medium", verify=False)
        loaded = open_image(sample)
        side_by_side(loaded.rgb, res.image, detect_faces(loaded.rgb)[0]).save(RESULTS / "astronaut_medium.png")
    order = list(known)
    table = dict(sorted(table.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
    write_report(table, ids, args, out)
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
        if r.get("verification_recognised") is not None
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
    jods = [r["jod_face"] for r in recs]
    return (
        f"{name}: " + ", ".join(parts) + f" | face JOD {np.mean(jods):.2f} (worst {min(jods):.2f}), photo JOD "
        f"{np.mean([r['jod_photo'] for r in recs]):.2f}, phone {np.mean([r['jod_phone_face'] for r in recs]):.2f} | "
        f"face PSNR {np.mean([r['face_psnr'] for r in recs]):.2f}"
        + (f" | {np.mean([r['seconds'] for r in recs]):.1f} s/photo" if all("seconds" in r for r in recs) else "")
    )


def write_report(table: dict, ids: list[str], args, out: Path) -> None:
    from photoguard.models.encoders import ENCODER_NAMES, ENCODERS
    from photoguard.verify import can_judge

    header = " | ".join(ENCODER_NAMES)
    scale_note = (
        f" Selfie scale: every victim upscaled {args.scale}x (Lanczos, JPEG q95) before it is protected."
        if args.scale != 1
        else ""
    )
    lines = [
        "# Protection and visibility benchmark" + (f" at selfie scale (x{args.scale})" if args.scale != 1 else ""),
        "",
        "Command: `"
        + " ".join(["python benchmarks/protection.py", *sys.argv[1:]])
        + "`"
        + (f" (merged into the runs already in {out.with_suffix('.json').name})" if args.merge else "")
        + f" on {date.today().isoformat()}, {platform.processor() or platform.machine()}, "
        f"{args.jobs} worker process(es) with one torch thread each.{scale_note}",
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
        "## Visibility (ColorVideoVDP, JOD: 10 = no visible difference, one less = 75 % prefer the original)",
        "",
        "Face = the largest face's box plus 20 % on each side. 4K = a 30-inch 4K monitor at 0.75 m, the photo "
        "at 100 % (one photo pixel per screen pixel); phone = a 6-inch phone at 0.4 m showing the photo 1080 px "
        "wide. Measured on the file as written against the original.",
        "",
        "| run | face, 4K: mean / worst | three largest faces (px: JOD) | photo, 4K: mean / worst "
        "| face, phone: mean / worst | product's reported face JOD = measured |",
        "|---|---|---|---|---|---|",
    ]
    for run_name, run in table.items():
        r = run["records"]
        col = lambda k, r=r: np.array([x[k] for x in r], dtype=float)  # noqa: E731
        big = sorted(r, key=lambda x: -x["face_px"])[:3]
        reported = [x for x in r if x.get("reported_jod") is not None]
        same = sum(abs(x["reported_jod"] - x["jod_face"]) < 0.011 for x in reported)
        lines.append(
            f"| {run_name} | {col('jod_face').mean():.2f} / {col('jod_face').min():.2f} | "
            + ", ".join(f"{x['face_px']:.0f}: {x['jod_face']:.2f}" for x in big)
            + f" | {col('jod_photo').mean():.2f} / {col('jod_photo').min():.2f} | "
            f"{col('jod_phone_face').mean():.2f} / {col('jod_phone_face').min():.2f} | "
            + (f"{same} of {len(reported)}" if reported else "-")
            + " |"
        )
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
        if not run["holdout"]:
            continue
        others = [e for e in unseen(run) if e != run["holdout"] and e in judges]
        for encoders in ([run["holdout"]], others):
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
        "| L-inf as written (/255) | s / photo (mean, max) |",
        "|---|---|---|---|---|---|---|",
    ]
    for run_name, run in table.items():
        r = run["records"]
        col = lambda k, r=r: np.array([x.get(k, np.nan) for x in r], dtype=float)  # noqa: E731
        lines.append(
            f"| {run_name} | {col('psnr').mean():.2f} / {col('psnr').min():.2f} | {col('ssim').mean():.4f} | "
            f"{col('face_psnr').mean():.2f} / {col('face_psnr').min():.2f} | {col('face_ssim').mean():.4f} / "
            f"{col('face_ssim').min():.4f} | {col('linf_written').max():.0f} | "
            f"{np.nanmean(col('seconds')):.2f}, {np.nanmax(col('seconds')):.2f} |"
        )
    lines += [
        "",
        "PSNR, SSIM and L-inf are measured on the file as written (JPEG quality 95, 4:4:4, so they include the "
        "re-encode's own loss). Seconds include detection, the cloak, the visibility floor, the verification "
        "check, encoding and writing, models loaded, with the benchmark's worker processes sharing the CPU (the "
        "speed benchmark, benchmarks/speed.py, is the reference for time). The clean rows show the harness: "
        "unprotected photos are matched. The noise run is uniform random noise at the medium preset's L-infinity "
        "over the face ellipse: it must not protect anyone.",
        "",
    ]
    out.write_text("\n".join(lines))
    out.with_suffix(".json").write_text(json.dumps(table, indent=1, default=str))
    print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
