"""Start the app in-process on a free loopback port for the client and browser tests; make uploads
whose bytes are unique, and find any copy of them left on disk."""

from __future__ import annotations

import os
import secrets
import socket
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "astronaut.png"


def free_port() -> int:
    """A TCP port nothing listens on right now (on 127.0.0.1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(workdir: Path | None) -> Iterator[str]:
    """Launch the app on 127.0.0.1 writing into ``workdir`` (None: its own private temp folder);
    yield its URL; close it afterwards."""
    from photoguard.app import launch

    port = free_port()
    demo = launch(host="127.0.0.1", port=port, block=False, workdir=workdir)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def unique_copy(folder: Path, name: str = "astronaut.png", src: Path = SAMPLE) -> Path:
    """``src`` with random corner pixels, saved as PNG: the face and the metadata as they were, bytes
    no other file on this computer has, so every copy of the upload can be found by its bytes."""
    import numpy as np
    from PIL import Image

    rgb = np.array(Image.open(src).convert("RGB"))
    noise = np.frombuffer(secrets.token_bytes(4 * 3 * 2), np.uint8).reshape(2, 2, 2, 3)  # 2 x 2 at two corners
    rgb[:2, :2], rgb[-2:, -2:] = noise[0], noise[1]
    folder.mkdir(parents=True, exist_ok=True)
    dst = folder / name
    Image.fromarray(rgb).save(dst, "PNG")
    return dst


def copies_on_disk(
    data: bytes, roots: Iterable[Path | str] | None = None, *, exclude: Iterable[Path] = ()
) -> list[Path]:
    """Every file under ``roots`` (default: the system temp folder) whose bytes are ``data``."""
    skip = {Path(p).resolve() for p in exclude}
    found = []
    for root in roots or [tempfile.gettempdir()]:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                path = Path(folder, name)
                try:
                    if path.stat().st_size == len(data) and path.resolve() not in skip and path.read_bytes() == data:
                        found.append(path)
                except OSError:
                    continue
    return found
