"""Speed and memory of protect() by photo size: the work must follow faces, not pixels.

Photos are made from the public-domain sample (one face), resized so the long side is 1024 px,
12 MP (4000 x 3000), a 12 MP selfie (3000 x 4000, the face cropped to 1600 px), 24 MP (6000 x 4000) and 88 MP (11000 x 8000, near the 100 MP limit; the face
is a close-up there, 2200 px), plus a tighter 88 MP portrait close-up (8100 x 10942, the face
cropped so that it is 4700 px: its working region is most of the photo), and written as JPEG.
Each size is protected in a fresh process (models loaded first, not timed).

Memory: the peak resident set size of that process (``ru_maxrss``: the most physical memory it
held at any moment, shared libraries and the loaded models included; ~0.6 GB after the models
load) over loading the models and every repeat; and, apart, the peak above what the process held
once its models were loaded (sampled every 10 ms from ``/proc/self/statm`` on Linux), which is
what the photo itself costs.

Usage: python benchmarks/speed.py [--presets fast,medium] [--repeat 2] [--sizes "24 MP,88 MP close-up"] [--out FILE]
Writes benchmarks/results/speed.md (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "astronaut.png"
SIZES = {
    "1024 px": (1024, 1024),
    "12 MP": (4000, 3000),
    "12 MP selfie": (3000, 4000),
    "24 MP": (6000, 4000),
    "88 MP": (11000, 8000),
    "88 MP close-up": (8100, 10942),
}
#: The close-ups: the face box's height as a share of the photo's (a 12 MP phone selfie: about 1600 px).
CLOSEUPS = {"12 MP selfie": 0.4, "88 MP close-up": 0.55}
#: The sample's face: its centre and height in the 512 px image (YuNet's box), for the close-ups.
_FACE_CENTRE, _FACE_HEIGHT = (223, 120), 113


def make_photo(size: tuple[int, int], path: Path, closeup: float = 0.0) -> None:
    """The sample scaled to the photo's height and centred on a blurred, stretched copy of itself;
    ``closeup`` > 0: the sample cropped around its face so that the face is that share of the
    photo's height (upscaled: no fine skin texture, a conservative case for visibility)."""
    width, height = size
    face = Image.open(SAMPLE).convert("RGB")
    if closeup:
        (cx, cy), frame_h = _FACE_CENTRE, _FACE_HEIGHT / closeup
        frame_w = frame_h * width / height
        x0 = min(max(cx - frame_w / 2, 0.0), face.width - frame_w)  # inside the sample: the face off centre
        y0 = min(max(cy - frame_h / 2, 0.0), face.height - frame_h)
        box = (x0, y0, x0 + frame_w, y0 + frame_h)
        face.resize((width, height), Image.LANCZOS, box=box).save(path, "JPEG", quality=92)
        return
    background = face.resize((width, height), Image.BILINEAR)
    face = face.resize((height, height), Image.LANCZOS)
    background.paste(face, ((width - height) // 2, 0))
    background.save(path, "JPEG", quality=92)


def _rss_mib() -> float:
    """This process's resident memory now, MiB (Linux ``/proc/self/statm``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def child(path: str, strength: str, repeat: int) -> None:
    """Run in a fresh process: time protect() and report peak memory as JSON on stdout."""
    import photoguard
    from photoguard.imageio import open_image

    photoguard.protect(open_image(SAMPLE), strength="fast", verify=False)  # load the models
    loaded = _rss_mib()
    highest = [loaded]
    running = threading.Event()
    running.set()

    def sample() -> None:
        while running.is_set():
            highest[0] = max(highest[0], _rss_mib())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeat):  # a folder per run: a run never replaces a file it did not write
            result = photoguard.protect(path, strength=strength, output=f"{tmp}/{k}/")
            times.append(result.timings)
    running.clear()
    sampler.join()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB on Linux
    face = max((f.box[3] - f.box[1] for f in result.faces), default=0)
    print(
        json.dumps(
            {
                "timings": times,
                "peak_mib": peak,
                "photo_mib": highest[0] - loaded,
                "faces": len(result.faces),
                "face_px": face,
            }
        )
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--presets", default="fast,medium")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--sizes", default=",".join(SIZES), help="comma-separated rows of SIZES")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "speed.md")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    rows = []
    sizes = args.sizes.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        for label in sizes:
            photo = Path(tmp) / f"{label.replace(' ', '')}.jpg"
            make_photo(SIZES[label], photo, closeup=CLOSEUPS.get(label, 0.0))
            for strength in args.presets.split(","):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(photo), strength, str(args.repeat)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                data = json.loads(out.stdout.strip().splitlines()[-1])
                best = min(data["timings"], key=lambda t: t["total"])
                rows.append((label, strength, best, data))
                print(label, strength, f"{best['total']:.2f} s", f"{data['peak_mib']:.0f} MiB", flush=True)
    base = {
        s: next((r[2]["total"] for r in rows if r[0] == "1024 px" and r[1] == s), None) for s in args.presets.split(",")
    }
    command = f"python benchmarks/speed.py --presets {args.presets} --repeat {args.repeat}"
    if sizes != list(SIZES):
        command += (
            f' --sizes "{args.sizes}" --out {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}'
        )
    lines = [
        "# Speed and memory by photo size",
        "",
        f"Command: `{command}` on {date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}. Best of {args.repeat} runs, models loaded "
        "first (not timed); one process per row. Peak memory: the process's peak resident set size (ru_maxrss: "
        "shared libraries and the loaded models included, about 0.6 GB once loaded); photo: the most it held above "
        "that once the models were loaded (sampled every 10 ms), what the photo itself costs.",
        "",
        "| photo | preset | faces | face px | total s | cloak s | load+detect s | verify s | write s | x 1024 px "
        "| peak memory (MiB) | photo (MiB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, strength, t, data in rows:
        ratio = f"{t['total'] / base[strength]:.2f}" if base.get(strength) else "-"
        lines.append(
            f"| {label} | {strength} | {data['faces']} | {data['face_px']:.0f} | {t['total']:.2f} | {t['cloak']:.2f} | "
            f"{t['load'] + t['detect']:.2f} | {t['verify']:.2f} | {t['write']:.2f} | {ratio} | "
            f"{data['peak_mib']:.0f} | {data['photo_mib']:.0f} |"
        )
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
