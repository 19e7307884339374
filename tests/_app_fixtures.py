"""Start the app in-process on a free loopback port for the client and browser tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
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
def running_app(workdir: Path) -> Iterator[str]:
    """Launch the app on 127.0.0.1 writing into ``workdir``; yield its URL; close it afterwards."""
    from photoguard.app import launch

    port = free_port()
    demo = launch(host="127.0.0.1", port=port, block=False, workdir=workdir)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()
