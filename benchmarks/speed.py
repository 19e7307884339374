"""Speed and memory of protect() by photo size: the work must follow faces, not pixels.

Photos are made from the public-domain sample (one face), resized so the long side is 1024 px,
12 MP (4000 x 3000), 24 MP (6000 x 4000) and 88 MP (11000 x 8000, near the 100 MP limit; the face
is a close-up there, so its region is most of the photo), and written as JPEG. Each size is
protected in a fresh process (models loaded first, not timed) so the peak resident memory is that
photo's.

Usage: python benchmarks/speed.py [--presets fast,medium] [--repeat 2]
Writes benchmarks/results/speed.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "astronaut.png"
SIZES = {"1024 px": (1024, 1024), "12 MP": (4000, 3000), "24 MP": (6000, 4000), "88 MP": (11000, 8000)}


def make_photo(size: tuple[int, int], path: Path) -> None:
    """The sample scaled to the photo's height and centred on a blurred, stretched copy of itself."""
    width, height = size
    face = Image.open(SAMPLE).convert("RGB")
    background = face.resize((width, height), Image.BILINEAR)
    face = face.resize((height, height), Image.LANCZOS)
    background.paste(face, ((width - height) // 2, 0))
    background.save(path, "JPEG", quality=92)


def child(path: str, strength: str, repeat: int) -> None:
    """Run in a fresh process: time protect() and report peak memory as JSON on stdout."""
    import photoguard
    from photoguard.imageio import open_image

    photoguard.protect(open_image(SAMPLE), strength="fast", verify=False)  # load the models
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            result = photoguard.protect(path, strength=strength, output=f"{tmp}/")
            times.append(result.timings)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB on Linux
    print(json.dumps({"timings": times, "peak_mib": peak, "faces": len(result.faces)}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--presets", default="fast,medium")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, size in SIZES.items():
            photo = Path(tmp) / f"{label.replace(' ', '')}.jpg"
            make_photo(size, photo)
            for strength in args.presets.split(","):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(photo), strength, str(args.repeat)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                data = json.loads(out.stdout.strip().splitlines()[-1])
                best = min(data["timings"], key=lambda t: t["total"])
                rows.append((label, strength, best, data["peak_mib"], data["faces"]))
                print(label, strength, f"{best['total']:.2f} s", f"{data['peak_mib']:.0f} MiB", flush=True)
    base = {s: next(r[2]["total"] for r in rows if r[0] == "1024 px" and r[1] == s) for s in args.presets.split(",")}
    lines = [
        "# Speed and memory by photo size",
        "",
        f"Command: `python benchmarks/speed.py --presets {args.presets} --repeat {args.repeat}` on {date.today().isoformat()}, "
        f"{platform.machine()}, {__import__('os').cpu_count()} cores, default torch threads. Best of {args.repeat} runs, "
        "models loaded first (not timed); one process per row, so the peak memory is that photo's (it includes the "
        "loaded models, about 0.9 GB).",
        "",
        "| photo | preset | faces | total s | cloak s | load+detect s | verify s | write s | x 1024 px | peak memory (MiB) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, strength, t, peak, faces in rows:
        lines.append(
            f"| {label} | {strength} | {faces} | {t['total']:.2f} | {t['cloak']:.2f} | {t['load'] + t['detect']:.2f} | "
            f"{t['verify']:.2f} | {t['write']:.2f} | {t['total'] / base[strength]:.2f} | {peak:.0f} |"
        )
    (ROOT / "benchmarks" / "results" / "speed.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
