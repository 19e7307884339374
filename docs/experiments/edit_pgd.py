"""Per-photo PGD against TAEF2: how much round-trip drop is attainable at the medium budget?"""
import sys, time, math, argparse
import numpy as np, torch, torch.nn.functional as F
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2] / "benchmarks"))
from edit_defence import editor_input, resized_like, public_photos, private_photos
from photoguard.channels import posted
from photoguard.cloak.attack import ycc_to_rgb
from photoguard.cloak.jpeg import jpeg
from photoguard.edits.config import EDIT_PRESETS
from photoguard.edits.pattern import channel_budget, perturbation
from photoguard.imageio import open_image, to_tensor, to_uint8
from photoguard.metrics import psnr
from photoguard.models.taef2 import load_taef2

ap = argparse.ArgumentParser()
ap.add_argument("--steps", type=int, default=30)
ap.add_argument("--obj", default="enc")
ap.add_argument("--strength", default="medium")
ap.add_argument("--private", type=int, default=0)
ap.add_argument("--init", default="zero")
ap.add_argument("--step", type=float, default=0.25)
ap.add_argument("--eot", default="jpeg")
ap.add_argument("--scale", type=float, default=1.0)  # optimise at this fraction of working res
ap.add_argument("--only", default="")
ap.add_argument("--l2", action="store_true")
ap.add_argument("--rms", type=float, default=0)
args = ap.parse_args()
torch.set_num_threads(2)
ae = load_taef2()
cfg = EDIT_PRESETS[args.strength]
if args.rms: cfg = cfg.with_(photo_rms=args.rms, epsilon=16.0, jnd_scale=3.0, smooth_ratio=0.5)
g = torch.Generator().manual_seed(0)

def rt_psnr(photo, rgb, ch):
    inp = editor_input(posted(photo, ch)); ref = resized_like(rgb, inp)
    with torch.no_grad():
        out = to_uint8(ae.decode(ae.encode(to_tensor(inp))).clamp(0, 1))
    return psnr(out, ref)

def channel(x):
    if args.eot == "none": return x
    r = 0.8 + 0.2 * float(torch.rand((), generator=g))
    h, w = x.shape[-2:]
    if r < 0.98: x = F.interpolate(x, scale_factor=r, mode="bilinear", antialias=True)
    dy, dx = (int(torch.randint(8, (1,), generator=g)) for _ in range(2))
    q = 65 + 25 * float(torch.rand((), generator=g))
    x = jpeg(F.pad(x, (dx, 0, dy, 0), mode="replicate"), q)[:, :, dy:, dx:]
    h2, w2 = (h // 8) * 8, (w // 8) * 8
    x = F.interpolate(x, size=(h2, w2), mode="bilinear")
    return x

photos = [p for p in public_photos() + private_photos(args.private) if args.only in p[0]]
for name, path in photos:
    rgb = open_image(path).rgb
    work = editor_input(rgb)   # optimise at editor res (photo here <= 1MP for tests)
    x = to_tensor(work)
    b = channel_budget(x, cfg)
    with torch.no_grad():
        zc = ae.encode(x); rc = ae.decode(zc)
    delta = torch.zeros_like(x) if args.init == "zero" else (perturbation(x, cfg) * 0)  # placeholder
    p = 0.5 * torch.randn(x.shape, generator=g).clamp(-2, 2) / 2
    mom = torch.zeros_like(x)
    t0 = time.perf_counter()
    cap = cfg.photo_rms / 255
    for s in range(args.steps):
        p.requires_grad_(True)
        d = ycc_to_rgb(p * b)
        rms = d.pow(2).mean().sqrt()
        d = d * torch.clamp(cap / (rms + 1e-12), max=1.0)
        xa = channel((x + d).clamp(0, 1))
        z = ae.encode(xa)
        if args.obj == "enc":
            loss = (z - zc).pow(2).mean()
        elif args.obj == "rt":
            loss = (ae.decode(z) - rc[..., :z.shape[-2]*8, :z.shape[-1]*8]).pow(2).mean()
        elif args.obj == "target":
            loss = -(z - 0).pow(2).mean()  # toward zero latent
        (gr,) = torch.autograd.grad(loss, p)
        with torch.no_grad():
            lr = args.step * (0.3 + 0.7 * 0.5 * (1 + math.cos(math.pi * s / max(args.steps - 1, 1))))
            if args.l2:
                gb = gr * b  # gradient wrt offsets in ycc units ~ chain; allocate by magnitude
                mom = 0.7 * mom + gb / gb.pow(2).mean().sqrt().clamp_min(1e-12)
                p = (p + lr * mom / b.clamp_min(1e-4) * (b.pow(2).mean().sqrt())).clamp(-1, 1)
            else:
                mom = 0.7 * mom + gr / gr.abs().mean().clamp_min(1e-12)
                p = (p + lr * mom.sign()).clamp(-1, 1)
    secs = time.perf_counter() - t0
    with torch.no_grad():
        d = ycc_to_rgb(p * b); rms = d.pow(2).mean().sqrt(); d = d * min(1.0, cap / max(float(rms), 1e-12))
        prot_work = to_uint8((x + d).clamp(0, 1))
    # photo at its own res: here editor_input == photo when <=1MP (crop to x8)
    ref = work
    res = [f"{name[:28]:28s} photo {psnr(ref, prot_work):.2f} dB  {secs:.1f}s"]
    for ch in ("as written", "JPEG q75", "1080 + q80"):
        c = rt_psnr(ref, ref, ch); pr = rt_psnr(prot_work, ref, ch)
        res.append(f"{ch}: {c:.2f}->{pr:.2f} ({c-pr:.2f})")
    print("  ".join(res), flush=True)
