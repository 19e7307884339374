"""Shared helpers for the tests that use real weights and the labelled photos of ../shared/faces."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from photoguard.errors import ModelNotFoundError
from photoguard.models.store import find_model

FACES = Path(__file__).parents[1].parent / "shared" / "faces"
N_PHOTOS, N_SAME, N_DIFF = 74, 152, 2549  # the labelled set the README numbers were measured on


def model_path(name: str) -> Path:
    """The weight file ``name``, or skip the test when it was never fetched."""
    try:
        return find_model(name)
    except ModelNotFoundError as exc:
        pytest.skip(f"weights not fetched: {exc}")


def bgr_to_tensor(bgr: list[np.ndarray]) -> torch.Tensor:
    """BGR uint8 ``S x S x 3`` crops -> ``N x 3 x S x S`` RGB float in [0, 1], as the encoders take them."""
    rgb = np.stack([im[..., ::-1] for im in bgr]).astype(np.float32) / 255.0
    return torch.from_numpy(rgb).permute(0, 3, 1, 2).contiguous()


@lru_cache(maxsize=1)
def _detections() -> tuple[tuple[np.ndarray, np.ndarray, str], ...]:
    detector = cv2.FaceDetectorYN.create(str(find_model("yunet_2023mar")), "", (320, 320), 0.6, 0.3, 5000)
    with open(FACES / "identities.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        bgr = cv2.imread(str(FACES / row["path"]), cv2.IMREAD_COLOR)
        assert bgr is not None, f"unreadable photo {row['path']}"
        detector.setInputSize((bgr.shape[1], bgr.shape[0]))
        _, found = detector.detect(bgr)
        assert found is not None and len(found) > 0, f"no face in {row['path']}"
        out.append((bgr, max(found, key=lambda d: d[2] * d[3]), row["identity"]))
    return tuple(out)


def labelled_faces() -> tuple[tuple[np.ndarray, np.ndarray, str], ...]:
    """Every labelled photo as ``(BGR image, largest YuNet detection row, identity)``, detected once
    per test session; skips when the photos or the detector are missing."""
    if not (FACES / "identities.csv").is_file():
        pytest.skip(f"face photos not available at {FACES}")
    model_path("yunet_2023mar")
    return _detections()


def same_and_different(embeddings: np.ndarray, ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Cosine similarities of all same-person and all different-person pairs of ``N x D`` embeddings."""
    emb = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    labels = np.array(ids)
    sims = emb @ emb.T
    iu = np.triu_indices(len(labels), k=1)
    same_mask = labels[iu[0]] == labels[iu[1]]
    return sims[iu][same_mask], sims[iu][~same_mask]


def roc_auc(same: np.ndarray, diff: np.ndarray) -> float:
    """P(same-pair score > different-pair score), ties counted half."""
    return float((same[:, None] > diff[None, :]).mean() + 0.5 * (same[:, None] == diff[None, :]).mean())
