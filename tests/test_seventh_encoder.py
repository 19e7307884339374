"""Adding an encoder is one registry entry plus one port module (issue 28): a seventh encoder, a
tiny network (``tests/_tiny_encoder.py``), is registered with one :class:`EncoderSpec` and its
weight file's manifest table (the file's own facts: sha256, licence), and the cloak runs with it;
with the real weights, ``protect()`` does too. Nothing else in photoguard changes."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from _tiny_encoder import DIM, write_weights

from photoguard.config import preset
from photoguard.models import store
from photoguard.models.encoders import ENCODERS, EncoderSpec
from photoguard.models.face_encoder import release_encoders
from photoguard.types import Face

ASTRONAUT_FACE = Face(
    box=(178.2, 62.9, 268.1, 176.2),
    landmarks=np.array([[200.1, 101.8], [247.1, 102.6], [220.4, 124.5], [198.6, 142.8], [239.7, 143.6]], np.float32),
    score=0.93,
)

TINY = EncoderSpec(
    name="tiny",
    display_name="Tiny",
    weights=("tiny_weights",),
    builder="_tiny_encoder:tiny_from_npz",
    input_size=112,
    crop="arcface",
    margin=0.0,
    bgr=False,
    scale=2.0,
    offset=-1.0,
    embedding_dim=DIM,
    threshold=0.5,
    same_person_mean=0.8,
)


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """The registry with the seventh encoder, its weight file in ``$PHOTOGUARD_MODELS`` and its
    table appended to the manifest (``$PHOTOGUARD_MANIFEST``)."""
    weights = tmp_path / "models" / "tiny.npz"
    weights.parent.mkdir()
    write_weights(weights)
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        store.MANIFEST.read_text()
        + f'\n[tiny_weights]\nfile = "tiny.npz"\nsha256 = "{digest}"\nlicence = "CC0 (a test network)"\n'
        'commercial_use = true\nsource = "tests/_tiny_encoder.py"\ntask = "recognition"\n'
        'input = "N x 3 x 112 x 112 RGB, ArcFace-aligned, 2x - 1"\n'
    )
    monkeypatch.setenv("PHOTOGUARD_MANIFEST", str(manifest))
    monkeypatch.setenv("PHOTOGUARD_MODELS", str(weights.parent))
    monkeypatch.setitem(ENCODERS, "tiny", TINY)
    yield TINY
    release_encoders()


def test_its_licence_is_its_weight_files_in_the_manifest(tiny) -> None:
    assert tiny.licence == "CC0 (a test network)"
    assert ENCODERS["arcface"].licence == store.spec("arcface_w600k_mbf").licence


def test_the_cloak_runs_with_it(tiny, astronaut) -> None:
    from photoguard.cloak.identity import IdentityCloak

    config = preset("fast").with_(encoders=("tiny",), holdout=None, steps=3)
    protected, outcomes = IdentityCloak(config)(astronaut, [ASTRONAUT_FACE])
    assert [o.cloaked for o in outcomes] == [True]
    assert set(outcomes[0].final_similarity or {}) == {"tiny"}
    changed = np.abs(protected.astype(int) - astronaut.astype(int))
    assert 0 < changed.max() <= config.epsilon + 1
    x0, y0, x1, y1 = (int(v) for v in ASTRONAUT_FACE.box)
    assert changed[y0:y1, x0:x1].any()


@pytest.mark.weights
def test_protect_runs_with_it_and_checks_it(tiny, weights, astronaut) -> None:
    """The whole product: the cloak attacks the seventh encoder beside ArcFace, and with no
    hold-out the check reports how far the attacked encoders moved."""
    import photoguard

    config = preset("fast").with_(encoders=("arcface", "tiny"), holdout=None, steps=3)
    try:
        result = photoguard.protect(astronaut, strength=config)
    finally:
        photoguard.release_models()
    assert result.faces_protected == 1
    assert set(result.faces[0].similarity) == {"arcface", "tiny"}
