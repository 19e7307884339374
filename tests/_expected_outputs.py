"""The sha256 of the files :func:`photoguard.protect` writes for ``examples/astronaut.png``, one per
preset, that ``tests/test_same_bytes.py`` checks: a restructuring of the code must not change a byte.

They were recorded before issue 28's restructuring (at 379ea3c), with one torch thread on this
project's CPU build of torch (2.13.0, x86-64). They change, on purpose, whenever a preset's numbers
or the cloak change (a merge of the cloak's own work): regenerate them then, at the commit that
changes them, with

    OMP_NUM_THREADS=1 .venv/bin/python tests/_expected_outputs.py

which prints this table for the code as it is (a few seconds a preset on 2 cores), and say why in
that commit. Another machine (another CPU's vector unit, a GPU) may round differently.
"""

from __future__ import annotations

#: preset -> sha256 of the protected ``astronaut.png`` as written.
ASTRONAUT_SHA256 = {
    "fast": "3dff845f9012d5a80e1aa679ffb92e7db09a9a11f2793a0d42c0d53c944234c5",
    "medium": "826c50be04d61cafd62091dffefbf0f1c8b88a8af40f5a99e3ffad76111a667a",
}


def astronaut_sha256(strength: str, folder: str) -> str:
    """The sha256 of ``examples/astronaut.png`` protected at ``strength`` into ``folder``, on one torch thread."""
    import hashlib
    from pathlib import Path

    import torch

    import photoguard

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        sample = Path(__file__).resolve().parents[1] / "examples" / "astronaut.png"
        result = photoguard.protect(sample, strength=strength, output=Path(folder) / "")
    finally:
        torch.set_num_threads(threads)
    assert result.output_path is not None
    return hashlib.sha256(result.output_path.read_bytes()).hexdigest()


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        print("ASTRONAUT_SHA256 = {")
        for name in ASTRONAUT_SHA256:
            print(f'    "{name}": "{astronaut_sha256(name, folder)}",')
        print("}")
