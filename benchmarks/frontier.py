"""The frontier: protection against face JOD, for today's design and the new one, at several strengths.

Reads the JSON the protection benchmark wrote (``benchmarks/protection.py``: its ``--variant`` and
``--outputs`` runs, at native size or ``--scale 3``) and writes one row per run: face JOD (4K at
100 %: mean / worst; phone), photo JOD, the worst channel's success of the attacked encoders,
Faceplugin (never attacked) and, where a leave-one-out run at the same strength was measured, the
left-out encoder. Runs are grouped by design: ``v2 ...`` are photos protected by today's design
(commit cb0562b, ``--save``) and scored by the same benchmark; the others are the new design.

Usage: python benchmarks/frontier.py results/protection.json results/frontier_sweep.json ... [--out results/frontier.md] [--title "selfie scale (x3)"]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from protection import CHANNELS, success  # noqa: E402

ATTACKED = ("arcface", "sface", "facenet", "faceres")
LEAVE_ONE_OUT = ("arcface", "facenet", "faceres")


def span(records: list[dict], encoder: str) -> str:
    rates = [success(records, ch, encoder) for ch in CHANNELS]
    return f"{min(rates):.0f}-{max(rates):.0f} %"


def attacked_worst(run: dict) -> float:
    """The worst channel's success, %, over the attacked encoders."""
    return min(success(run["records"], ch, e) for ch in CHANNELS for e in ATTACKED)


def row(name: str, run: dict, loo: dict[str, dict]) -> str:
    r = run["records"]
    jod = np.array([x["jod_face"] for x in r])
    attacked = attacked_worst(run)
    left_out = [f"{e} {span(loo[e]['records'], e)}" if e in loo else f"{e} -" for e in LEAVE_ONE_OUT]
    return (
        f"| {name} | {jod.mean():.2f} / {jod.min():.2f} | {np.mean([x['jod_phone_face'] for x in r]):.2f} | "
        f"{np.mean([x['jod_photo'] for x in r]):.2f} | {np.mean([x['face_psnr'] for x in r]):.1f} | {attacked:.0f} % | "
        f"{span(r, 'faceplugin')} | " + ", ".join(left_out) + " |"
    )


def jod_at(points: list[tuple[float, float]], protection: float) -> float | None:
    """The face JOD at which a series of ``(jod, protection %)`` points, one design scaled up and down,
    reaches ``protection``: linear between the two points around it; None outside the series."""
    points = sorted(points)
    for (j0, p0), (j1, p1) in itertools.pairwise(points):
        if min(p0, p1) <= protection <= max(p0, p1):
            return j0 if p0 == p1 else j0 + (j1 - j0) * (protection - p0) / (p1 - p0)
    return None


def gains(runs: dict[str, dict]) -> list[str]:
    """One line per run of the new design: its face JOD against the JOD at which today's ``medium``,
    scaled down (``v2 medium``, ``v2 medium x0.7``, ``x0.5``), protects as many people."""
    series = [
        (float(np.mean([x["jod_face"] for x in run["records"]])), attacked_worst(run))
        for name, run in runs.items()
        if name.startswith("v2 medium")
    ]
    if len(series) < 2:
        return []
    lines = [
        "",
        "## JOD gained at equal protection",
        "",
        "Today's design at one protection level = its `medium` outputs with the cloak scaled down "
        "(" + ", ".join(f"{p:.0f} % at {j:.2f}" for j, p in sorted(series)) + ", attacked worst channel), "
        "read between those points. At 100 % protection is saturated: a cloak with more margin than it needs "
        "(`strong`) reads as a loss here; `fast` takes 10 steps where the others take 20.",
        "",
        "| run | attacked (worst) | face JOD | today's design at that protection | gained |",
        "|---|---|---|---|---|",
    ]
    for name, run in runs.items():
        if name.startswith(("v2", "LOO")) or name == "noise" or "jod_face" not in run["records"][0]:
            continue
        protection, jod = attacked_worst(run), float(np.mean([x["jod_face"] for x in run["records"]]))
        before = jod_at(series, protection)
        if before is not None:
            lines.append(f"| {name} | {protection:.0f} % | {jod:.2f} | {before:.2f} | {jod - before:+.2f} |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("inputs", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, default=RESULTS / "frontier.md")
    ap.add_argument("--title", default="native size")
    args = ap.parse_args()
    runs: dict[str, dict] = {}
    for path in args.inputs:
        runs.update(json.loads(path.read_text()))
    lines = [
        f"# Frontier: protection against visibility ({args.title})",
        "",
        "Command: `python benchmarks/frontier.py " + " ".join(str(p) for p in args.inputs) + "`; the runs are those "
        "files' (`benchmarks/protection.py`, 18 people, four platform channels). Face JOD = ColorVideoVDP on the face "
        "box + 20 % at 100 % on a 4K monitor (mean / worst), phone = the face on a phone showing the photo 1080 px "
        "wide, photo = the whole photo at 100 %. Attacked = the worst channel's success over ArcFace, SFace, FaceNet "
        "and FaceRes; Faceplugin is never attacked; leave-one-out = that encoder taken out of the attack too, "
        "at the same strength (- where not measured). v2 = today's design before this change (commit cb0562b), "
        "protected by its own code and scored by the same benchmark.",
        "",
        "| run | face JOD 4K mean / worst | face JOD phone | photo JOD | face PSNR dB | attacked (worst) "
        "| Faceplugin | leave-one-out |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, run in runs.items():
        if name.startswith("LOO") or name == "noise" or not run["records"] or "jod_face" not in run["records"][0]:
            continue
        base = name.removeprefix("v2 ")
        loo = {
            e: runs[key]
            for e in LEAVE_ONE_OUT
            for key in (f"LOO {e}" if base == "medium" and not name.startswith("v2") else f"LOO {base} {e}",)
            if key in runs
        }
        lines.append(row(name, run, loo))
    lines += gains(runs)
    lines.append("")
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
