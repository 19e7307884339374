"""Tests of the identity encoders: the native ports against their reference runtimes on real faces.

Weight-free tests (architecture shapes, loud mapping failures, input checks) always run; the
``weights`` tests need the model files and ``../shared/faces`` and skip when those are absent.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np
import onnx
import pytest
import torch
from _faces import FACES, bgr_to_tensor, model_path
from onnx import TensorProto, helper, numpy_helper

from photoguard.errors import ModelError, UsageError
from photoguard.models.arcface import ArcFaceMBF
from photoguard.models.encoders import ENCODER_NAMES, ENCODERS, margin_box, margin_crop
from photoguard.models.face_encoder import FaceEncoder, load_encoder
from photoguard.models.facenet import InceptionResnetV1
from photoguard.models.onnx_weights import load_layers
from photoguard.models.sface import SFaceNet
from photoguard.models.store import find_model

IDENTITIES_USED = 6  # identities with >= 2 photos, 2 photos each -> 12 faces


# --- weight-free -------------------------------------------------------------


@pytest.mark.parametrize(
    ("net", "size", "dim"), [(ArcFaceMBF, 112, 512), (SFaceNet, 112, 128), (InceptionResnetV1, 160, 512)]
)
def test_architecture_output_shape(net: type[torch.nn.Module], size: int, dim: int) -> None:
    model = net().eval()
    with torch.no_grad():
        out = model(torch.rand(2, 3, size, size))
    assert out.shape == (2, dim)


def test_ports_list_every_weighted_layer() -> None:
    for net in (ArcFaceMBF(), SFaceNet()):
        weighted = {id(m) for m in net.weighted()}
        has_params = {id(m) for m in net.modules() if list(m.parameters(recurse=False))}
        assert weighted == has_params


def _tiny_conv_onnx(path: Path, out_channels: int) -> None:
    weight = numpy_helper.from_array(np.zeros((out_channels, 3, 3, 3), np.float32), "w")
    node = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, out_channels, 8, 8])],
        [weight],
    )
    onnx.save(helper.make_model(graph), str(path))


def test_mapping_fails_loudly_on_wrong_shape(tmp_path: Path) -> None:
    path = tmp_path / "tiny.onnx"
    _tiny_conv_onnx(path, out_channels=4)
    load_layers([torch.nn.Conv2d(3, 4, 3, padding=1, bias=False)], path)  # the right one loads
    with pytest.raises(ModelError, match="shape"):
        load_layers([torch.nn.Conv2d(3, 8, 3, padding=1, bias=False)], path)
    with pytest.raises(ModelError, match="attributes"):
        load_layers([torch.nn.Conv2d(3, 4, 3, stride=2, padding=1, bias=False)], path)
    with pytest.raises(ModelError, match="weighted nodes"):
        load_layers([], path)


def test_encoder_rejects_wrong_input_shape() -> None:
    enc = FaceEncoder(ENCODERS["arcface"], ArcFaceMBF())
    with pytest.raises(ValueError, match="112"):
        enc(torch.rand(1, 3, 160, 160))
    with pytest.raises(ValueError):
        enc(torch.rand(3, 112, 112))


def test_registry_entries_are_complete_and_photo_thresholds_follow() -> None:
    for name, spec in ENCODERS.items():
        assert spec.name == name and spec.weights and ":" in spec.builder
        assert 0 < spec.threshold < spec.same_person_mean or name == "mobileface"
        assert spec.photo_threshold == pytest.approx(spec.threshold / spec.same_person_mean)
    judges = {n for n, s in ENCODERS.items() if s.photo_threshold < 1}
    assert judges == set(ENCODERS) - {"mobileface"}  # too weak to judge a cloak: matches 46 % of pairs


def test_unknown_encoder_name() -> None:
    with pytest.raises(UsageError, match="arcface"):
        load_encoder("vggface")


def test_margin_box_is_square_and_centred() -> None:
    x0, y0, x1, y1 = margin_box((10.0, 20.0, 50.0, 100.0), 0.25)
    assert x1 - x0 == pytest.approx(100.0) and y1 - y0 == pytest.approx(100.0)
    assert (x0 + x1) / 2 == pytest.approx(30.0) and (y0 + y1) / 2 == pytest.approx(60.0)
    crop = margin_crop(np.zeros((40, 40, 3), np.uint8), (0.0, 0.0, 40.0, 40.0), ENCODERS["facenet"])
    assert crop.shape == (160, 160, 3)


# --- real weights and faces ---------------------------------------------------


@pytest.fixture(scope="module")
def faces() -> dict[str, object]:
    """12 real faces (6 people x 2 photos): aligned 112 BGR crops, facenet 160 BGR crops, ids."""
    if not (FACES / "identities.csv").is_file():
        pytest.skip(f"face photos not available at {FACES}")
    for name in ("yunet_2023mar", "sface_2021dec"):
        model_path(name)
    by_id: dict[str, list[str]] = defaultdict(list)
    with open(FACES / "identities.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            by_id[row["identity"]].append(row["path"])
    chosen = [(i, sorted(p)[:2]) for i, p in sorted(by_id.items()) if len(p) >= 2][:IDENTITIES_USED]
    detector = cv2.FaceDetectorYN.create(str(find_model("yunet_2023mar")), "", (320, 320), 0.6, 0.3, 5000)
    recognizer = cv2.FaceRecognizerSF.create(str(find_model("sface_2021dec")), "")
    aligned, margin, ids = [], [], []
    for identity, paths in chosen:
        for rel in paths:
            bgr = cv2.imread(str(FACES / rel), cv2.IMREAD_COLOR)
            detector.setInputSize((bgr.shape[1], bgr.shape[0]))
            _, found = detector.detect(bgr)
            assert found is not None, f"no face in {rel}"
            det = max(found, key=lambda d: d[2] * d[3])
            x, y, w, h = (float(v) for v in det[:4])
            aligned.append(recognizer.alignCrop(bgr, det))
            margin.append(margin_crop(bgr, (x, y, x + w, y + h), ENCODERS["facenet"]))
            ids.append(identity)
    return {"aligned": aligned, "margin": margin, "ids": ids, "recognizer": recognizer}


def _crops(faces: dict[str, object], name: str) -> list[np.ndarray]:
    """Each face as encoder ``name`` takes it (aligned crops resized for a larger template)."""
    spec = ENCODERS[name]
    crops: list[np.ndarray] = faces["margin" if spec.crop == "margin" else "aligned"]  # type: ignore[assignment]
    size = spec.input_size
    return [c if c.shape[0] == size else cv2.resize(c, (size, size), interpolation=cv2.INTER_LINEAR) for c in crops]


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


@pytest.mark.weights
def test_arcface_matches_onnxruntime(faces: dict[str, object]) -> None:
    ort = pytest.importorskip("onnxruntime")
    path = model_path("arcface_w600k_mbf")
    crops = faces["aligned"]
    x = bgr_to_tensor(crops)  # type: ignore[arg-type]
    assert len(x) >= 8
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    reference = np.concatenate(
        [session.run(None, {"input.1": (xi[None] * 255 - 127.5) / 127.5})[0] for xi in x.numpy()]
    )
    with torch.no_grad():
        ours = load_encoder("arcface")(x).numpy()
    cos = _cosine(ours, reference)
    assert cos.min() >= 0.9999, cos


@pytest.mark.weights
def test_sface_matches_opencv(faces: dict[str, object]) -> None:
    model_path("sface_2021dec")
    recognizer = faces["recognizer"]
    crops = faces["aligned"]
    reference = np.concatenate([recognizer.feature(c) for c in crops])  # type: ignore[attr-defined]
    with torch.no_grad():
        ours = load_encoder("sface")(bgr_to_tensor(crops)).numpy()  # type: ignore[arg-type]
    cos = _cosine(ours, reference)
    assert len(cos) >= 8 and cos.min() >= 0.9999, cos


@pytest.mark.weights
def test_facenet_separates_people(faces: dict[str, object]) -> None:
    model_path("facenet_casia")
    with torch.no_grad():
        emb = load_encoder("facenet")(bgr_to_tensor(faces["margin"])).numpy()  # type: ignore[arg-type]
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    ids = np.array(faces["ids"])
    sims = emb @ emb.T
    iu = np.triu_indices(len(ids), k=1)
    same_mask = ids[iu[0]] == ids[iu[1]]
    same, diff = sims[iu][same_mask], sims[iu][~same_mask]
    assert same.mean() > diff.mean() + 0.3, (same.mean(), diff.mean())
    assert same.min() > diff.max(), (same.min(), diff.max())


@pytest.mark.weights
@pytest.mark.parametrize("name", ENCODER_NAMES)
def test_gradient_reaches_input(faces: dict[str, object], name: str) -> None:
    for weights in ENCODERS[name].weights:
        model_path(weights)
    enc = load_encoder(name)
    x = bgr_to_tensor(_crops(faces, name)[:2]).requires_grad_(True)
    emb = enc(x)
    (emb[0] @ emb[1]).backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    assert x.grad.abs().sum() > 0 and (x.grad[0].abs().sum() > 0) and (x.grad[1].abs().sum() > 0)


@pytest.mark.weights
@pytest.mark.parametrize("name", ENCODER_NAMES)
def test_encoder_is_frozen_and_cached(name: str) -> None:
    for weights in ENCODERS[name].weights:
        model_path(weights)
    enc = load_encoder(name)
    assert enc is load_encoder(name, "cpu") is load_encoder(name, torch.device("cpu"))
    assert enc.spec == ENCODERS[name]
    assert all(not p.requires_grad for p in enc.parameters())
    enc.train()
    assert not enc.training and not any(m.training for m in enc.modules())


@pytest.mark.weights
@pytest.mark.parametrize("name", ENCODER_NAMES)
def test_batch_equals_singles(faces: dict[str, object], name: str) -> None:
    for weights in ENCODERS[name].weights:
        model_path(weights)
    enc = load_encoder(name)
    x = bgr_to_tensor(_crops(faces, name)[:4])
    with torch.no_grad():
        batch = enc(x)
        singles = torch.cat([enc(x[i : i + 1]) for i in range(len(x))])
    assert batch.shape == (4, ENCODERS[name].embedding_dim)
    torch.testing.assert_close(batch, singles, atol=1e-5, rtol=1e-4)
