"""``photoguard detect PATH...``: the faces photoguard finds, and which it can protect."""

from __future__ import annotations

from pathlib import Path

import typer

from photoguard.cli import app
from photoguard.errors import PhotoguardError
from photoguard.text import json_text


@app.command("detect")
def detect(
    paths: list[Path] = typer.Argument(..., help="Photos to look at."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON record per photo."),
) -> None:
    """List the faces in each photo: box, size and detector confidence (nothing is written)."""
    from photoguard.config import DEFAULT_PRESET, preset
    from photoguard.faces.detect import detect_faces
    from photoguard.imageio import open_image

    minimum = preset(DEFAULT_PRESET).min_face_px
    failed = 0
    for path in paths:
        try:
            image = open_image(path)
        except PhotoguardError as exc:
            typer.echo(f"photoguard: error: {exc}", err=True)
            failed += 1
            continue
        faces = detect_faces(image.rgb)
        if as_json:
            record = {
                "path": str(path),
                "size": list(image.size),
                "faces": [
                    {
                        "box": [round(v, 1) for v in f.box],
                        "size_px": round(f.size, 1),
                        "score": round(f.score, 3),
                        "protectable": f.size >= minimum,
                    }
                    for f in faces
                ],
            }
            typer.echo(json_text(record, indent=None))
            continue
        width, height = image.size
        typer.echo(f"{path}: {width}x{height}, {len(faces)} face(s)")
        for i, f in enumerate(faces):
            x0, y0, x1, y1 = f.box
            note = "" if f.size >= minimum else f"  (too small to protect: under {minimum} px)"
            typer.echo(
                f"  face {i + 1}: box ({x0:.0f}, {y0:.0f})-({x1:.0f}, {y1:.0f}), {f.size:.0f} px, score {f.score:.2f}{note}"
            )
    if failed:
        raise typer.Exit(1)
