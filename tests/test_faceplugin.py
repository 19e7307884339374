"""Tests of the native Faceplugin MobileFaceNet port against onnxruntime and on real faces.

Weight-free tests (shapes, layer listing, ``forward_features`` consistency) always run; the
``weights`` tests need the model files and ``../shared/faces`` and skip when those are absent.
The separation test reproduces the numbers of ``shared/models/README.md`` (all 74 labelled
photos: AUC 1.0000, same-person mean 0.712, different-person mean 0.010).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
from _faces import N_DIFF, N_PHOTOS, N_SAME, bgr_to_tensor, labelled_faces, model_path, roc_auc, same_and_different

from photoguard.errors import ModelError
from photoguard.models.faceplugin import FacepluginMFN, faceplugin_from_onnx

README_AUC, README_SAME, README_DIFF = 1.0000, 0.712, 0.010


def _normalise(x: torch.Tensor) -> torch.Tensor:
    """RGB in [0, 1] -> the network's ``(x - 127) / 128`` with x in 0..255."""
    return (x * 255.0 - 127.0) / 128.0


# --- weight-free -------------------------------------------------------------


def test_output_shape() -> None:
    net = FacepluginMFN().eval()
    with torch.no_grad():
        out = net(torch.rand(2, 3, 112, 112) * 2 - 1)
    assert out.shape == (2, 512)
    assert torch.isfinite(out).all()


def test_weighted_lists_every_layer_with_parameters() -> None:
    net = FacepluginMFN()
    layers = net.weighted()
    weighted = {id(m) for m in layers}
    has_params = {id(m) for m in net.modules() if list(m.parameters(recurse=False))}
    assert weighted == has_params
    assert len(layers) == len(weighted)  # no layer listed twice
    # the graph's 50 Conv and 33 PRelu nodes
    assert sum(isinstance(m, torch.nn.Conv2d) for m in layers) == 50
    assert sum(isinstance(m, torch.nn.PReLU) for m in layers) == 33


def test_forward_features_matches_forward() -> None:
    torch.manual_seed(0)
    net = FacepluginMFN().eval()
    x = torch.rand(2, 3, 112, 112) * 2 - 1
    with torch.no_grad():
        emb, features = net.forward_features(x)
        ref = net(x)
    assert features.shape == (2, *FacepluginMFN.feature_shape) == (2, 128, 14, 14)
    torch.testing.assert_close(emb, ref, atol=0.0, rtol=0.0)


# --- real weights and faces ---------------------------------------------------


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


@pytest.fixture(scope="module")
def photos() -> dict[str, object]:
    """Every labelled photo: largest YuNet face, ArcFace-aligned 112 BGR crop, identity.

    As ``benchmarks/encoders.py`` ``detect_photos`` does (``cv2.FaceRecognizerSF.alignCrop``,
    the 5-point ArcFace template).
    """
    faces = labelled_faces()
    recognizer = cv2.FaceRecognizerSF.create(str(model_path("sface_2021dec")), "")
    return {"aligned": [recognizer.alignCrop(bgr, det) for bgr, det, _ in faces], "ids": [i for _, _, i in faces]}


@pytest.fixture(scope="module")
def net() -> FacepluginMFN:
    return faceplugin_from_onnx(model_path("faceplugin_fr_feature"))


@pytest.fixture(scope="module")
def embeddings(photos: dict[str, object], net: FacepluginMFN) -> np.ndarray:
    """Raw ``N x 512`` embeddings of all aligned photos from the native port (computed once)."""
    x = _normalise(bgr_to_tensor(photos["aligned"]))  # type: ignore[arg-type]
    with torch.no_grad():
        return torch.cat([net(x[i : i + 16]) for i in range(0, len(x), 16)]).numpy()


@pytest.mark.weights
def test_matches_onnxruntime(photos: dict[str, object], embeddings: np.ndarray) -> None:
    ort = pytest.importorskip("onnxruntime")
    path = model_path("faceplugin_fr_feature")
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    x = _normalise(bgr_to_tensor(photos["aligned"])).numpy()  # type: ignore[arg-type]
    # the graph's final Reshape is to [1, -1]: batch 1 only
    reference = np.concatenate([session.run(None, {"input": xi[None]})[0] for xi in x])
    assert reference.shape == embeddings.shape == (N_PHOTOS, 512)
    cos = _cosine(embeddings, reference)
    assert cos.min() > 0.9999, cos.min()


@pytest.mark.weights
def test_features_are_onnx_down2_output(photos: dict[str, object], net: FacepluginMFN) -> None:
    """``forward_features``' map is the graph's 14 x 14 stage output (tensor ``471``)."""
    ort = pytest.importorskip("onnxruntime")
    onnx = pytest.importorskip("onnx")
    model = onnx.load(str(model_path("faceplugin_fr_feature")))
    model.graph.output.append(onnx.helper.make_tensor_value_info("471", onnx.TensorProto.FLOAT, [1, 128, 14, 14]))
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    x = _normalise(bgr_to_tensor(photos["aligned"][:2]))  # type: ignore[index]
    with torch.no_grad():
        _, features = net.forward_features(x)
    reference = np.concatenate([session.run(["471"], {"input": xi[None]})[0] for xi in x.numpy()])
    assert features.shape == reference.shape == (2, 128, 14, 14)
    np.testing.assert_allclose(features.numpy(), reference, atol=1e-4, rtol=1e-4)


@pytest.mark.weights
def test_reproduces_readme_separation(photos: dict[str, object], embeddings: np.ndarray) -> None:
    assert len(photos["ids"]) == N_PHOTOS  # type: ignore[arg-type]
    same, diff = same_and_different(embeddings, photos["ids"])  # type: ignore[arg-type]
    assert (len(same), len(diff)) == (N_SAME, N_DIFF)
    auc = roc_auc(same, diff)
    assert abs(auc - README_AUC) <= 0.01, auc
    assert abs(same.mean() - README_SAME) <= 0.01, same.mean()
    assert abs(diff.mean() - README_DIFF) <= 0.01, diff.mean()


@pytest.mark.weights
def test_gradient_reaches_pixels(photos: dict[str, object], net: FacepluginMFN) -> None:
    x = bgr_to_tensor(photos["aligned"][:2]).requires_grad_(True)  # type: ignore[index]
    try:
        emb, features = net.forward_features(_normalise(x))
        emb = torch.nn.functional.normalize(emb, dim=1)
        (emb[0] @ emb[1]).backward()
        assert x.grad is not None and torch.isfinite(x.grad).all()
        assert x.grad[0].abs().sum() > 0 and x.grad[1].abs().sum() > 0
        assert features.grad_fn is not None
        assert all(p.grad is not None for p in net.parameters())  # every layer is on the path
    finally:
        net.zero_grad(set_to_none=True)


@pytest.mark.weights
def test_wrong_graph_fails_loudly() -> None:
    with pytest.raises(ModelError):
        faceplugin_from_onnx(model_path("arcface_w600k_mbf"))
