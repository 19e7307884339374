"""Behaviour does not change under a restructuring: ``protect()`` writes the very same bytes for the
sample photo at ``fast`` and ``medium`` as it did before (``tests/_expected_outputs.py``)."""

from __future__ import annotations

import pytest
from _expected_outputs import ASTRONAUT_SHA256, astronaut_sha256


@pytest.mark.weights
@pytest.mark.parametrize("strength", sorted(ASTRONAUT_SHA256))
def test_protect_writes_the_recorded_bytes(strength, weights, tmp_path) -> None:
    assert astronaut_sha256(strength, str(tmp_path)) == ASTRONAUT_SHA256[strength], (
        f"protect(astronaut.png, strength={strength!r}) wrote other bytes than recorded; if a preset or the "
        "cloak changed on purpose, regenerate them: OMP_NUM_THREADS=1 .venv/bin/python tests/_expected_outputs.py"
    )
