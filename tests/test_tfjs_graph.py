"""Tests of the TF.js graph-model runner and the two ports built on it (FaceRes, MobileFace).

Weight-free tests build tiny graph models (JSON + sharded ``.bin``) in ``tmp_path`` and compare
the torch module with a NumPy reference written in TensorFlow's NHWC semantics (``SAME``
padding with the odd pixel at the end, NHWC flattening). The ``weights`` tests need the model
files and ``../shared/faces`` and skip when those are absent; they reproduce the separation
numbers of ``shared/models/README.md`` on all 74 labelled photos.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import torch
from _faces import N_DIFF, N_PHOTOS, N_SAME, bgr_to_tensor, labelled_faces, model_path, roc_auc, same_and_different

from photoguard.errors import ModelError
from photoguard.faces.align import arcface_matrix
from photoguard.models.faceres import faceres_from_tfjs
from photoguard.models.mobileface import mobileface_from_tfjs
from photoguard.models.tfjs_graph import TfjsGraphModule, load_tfjs_graph, read_tfjs_graph

# --- writing tiny graph models ----------------------------------------------------


def _s(text: str) -> dict[str, str]:
    return {"s": base64.b64encode(text.encode()).decode()}


def _ints(values: Any) -> dict[str, Any]:
    return {"list": {"i": [str(int(v)) for v in values]}}


def _strings(values: list[str]) -> dict[str, Any]:
    return {"list": {"s": [_s(v)["s"] for v in values]}}


_FLOAT = {"T": {"type": "DT_FLOAT"}}


def _node(name: str, op: str, *inputs: str, **attr: Any) -> dict[str, Any]:
    return {"name": name, "op": op, "input": list(inputs), "attr": {**_FLOAT, **attr}}


def _conv(name: str, x: str, w: str, stride: int = 1, padding: str = "SAME", op: str = "Conv2D", **attr: Any) -> dict:
    conv_attr = {
        "strides": _ints([1, stride, stride, 1]),
        "padding": _s(padding),
        "data_format": _s("NHWC"),
        "dilations": _ints([1, 1, 1, 1]),
        "explicit_paddings": {"list": {}},
        **attr,
    }
    return _node(name, op, x, w, **conv_attr)


def _write_model(
    folder: Path,
    nodes: list[dict],
    weights: dict[str, np.ndarray],
    *,
    fp16: tuple[str, ...] = (),
    input_shape: tuple[int, int, int] = (-1, -1, 3),
) -> Path:
    """``folder/model.json`` + two ``.bin`` shards; every weight gets its Const node."""
    entries, chunks = [], []
    for name, value in weights.items():
        if value.dtype.kind == "i":
            entries.append({"name": name, "shape": list(value.shape), "dtype": "int32"})
            chunks.append(value.astype("<i4").tobytes())
        elif name in fp16:
            quant = {"dtype": "float16", "original_dtype": "float32"}
            entries.append({"name": name, "shape": list(value.shape), "dtype": "float32", "quantization": quant})
            chunks.append(value.astype("<f2").tobytes())
        else:
            entries.append({"name": name, "shape": list(value.shape), "dtype": "float32"})
            chunks.append(value.astype("<f4").tobytes())
    blob = b"".join(chunks)
    (folder / "model.1.bin").write_bytes(blob[: len(blob) // 2])
    (folder / "model.2.bin").write_bytes(blob[len(blob) // 2 :])
    dims = [{"size": str(d)} for d in (-1, *input_shape)]
    consts = [{"name": n, "op": "Const", "attr": {"dtype": {"type": "DT_FLOAT"}, "value": {}}} for n in weights]
    shape = {"shape": {"dim": dims}}
    placeholder = {"name": "x", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"}, "shape": shape}}
    model = {
        "format": "graph-model",
        "modelTopology": {"node": [*consts, placeholder, *nodes]},
        "weightsManifest": [{"paths": ["model.1.bin", "model.2.bin"], "weights": entries}],
    }
    path = folder / "model.json"
    path.write_text(json.dumps(model))
    return path


def _edit(path: Path, fn: Any) -> Path:
    """Apply ``fn`` to the model's JSON dict and write it back."""
    model = json.loads(path.read_text())
    fn(model)
    path.write_text(json.dumps(model))
    return path


def _nodes(model: dict) -> dict[str, dict]:
    return {n["name"]: n for n in model["modelTopology"]["node"]}


# --- a NumPy reference in TensorFlow semantics -------------------------------------


def _tf_same(size: int, k: int, s: int) -> tuple[int, int]:
    """TensorFlow SAME: out = ceil(size / s); the odd padding pixel goes at the end."""
    total = max((-(-size // s) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def _np_conv(x: np.ndarray, w: np.ndarray, stride: int, padding: str, depthwise: bool = False) -> np.ndarray:
    """NHWC convolution: ``w`` is ``kh x kw x in x out`` (depthwise: ``kh x kw x in x mult``)."""
    kh, kw = w.shape[:2]
    pads = [_tf_same(x.shape[1], kh, stride), _tf_same(x.shape[2], kw, stride)] if padding == "SAME" else [(0, 0)] * 2
    xp = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)])
    oh, ow = (xp.shape[1] - kh) // stride + 1, (xp.shape[2] - kw) // stride + 1
    out = 0.0
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, i : i + stride * (oh - 1) + 1 : stride, j : j + stride * (ow - 1) + 1 : stride, :]
            if depthwise:
                out = out + (patch[..., :, None] * w[i, j]).reshape(*patch.shape[:3], -1)
            else:
                out = out + patch @ w[i, j]
    return out


def _nchw(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).float()


def _tiny_weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    f = np.float32
    return {
        "k1": rng.normal(0, 0.6, (3, 3, 3, 4)).astype(f),
        "b1": rng.normal(0, 1, 4).astype(f),
        "six": np.array(6.0, f),
        "zero": np.array(0.0, f),
        "k2": rng.normal(0, 0.5, (3, 3, 4, 2)).astype(f),
        "s2": rng.normal(1, 0.3, 8).astype(f),
        "t2": rng.normal(0, 0.5, 8).astype(f),
        "alpha": rng.normal(0.2, 0.3, 8).astype(f),
        "pads": np.array([[0, 0], [1, 2], [0, 1], [0, 0]], np.int32),
        "k3": rng.normal(0, 0.3, (3, 3, 8, 6)).astype(f),
        "axes": np.array([1, 2], np.int32),
        "k4": rng.normal(0, 0.5, (6, 5)).astype(f),
        "b4": rng.normal(0, 0.5, 5).astype(f),
        "k5": rng.normal(0, 0.5, (3, 5)).astype(f),
        "side_k": rng.normal(0, 1, (2, 2)).astype(f),
    }


def _tiny_nodes(dw_stride: int) -> list[dict]:
    """conv SAME/2 + bias + ReLU6 -> depthwise + Mul/Add -> PReLU -> Pad -> conv VALID/2 -> Mean -> fc."""
    return [
        _conv("c1", "x", "k1", stride=2),
        _node("c1/add", "Add", "c1", "b1"),
        _node("c1/relu", "Relu", "c1/add"),
        _node("c1/min", "Minimum", "c1/relu", "six"),
        _node("c1/relu6", "Maximum", "c1/min", "zero"),
        _conv("dw", "c1/relu6", "k2", stride=dw_stride, op="DepthwiseConv2dNative"),
        _node("dw/mul", "Mul", "dw", "s2"),
        _node("dw/bn", "AddV2", "dw/mul", "t2"),
        _node("pr/max", "Maximum", "zero", "dw/bn"),
        _node("pr/min", "Minimum", "zero", "dw/bn"),
        _node("pr/mul", "Mul", "alpha", "pr/min"),
        _node("prelu", "AddV2", "pr/max", "pr/mul"),
        _node("pad", "Pad", "prelu", "pads", Tpaddings={"type": "DT_INT32"}),
        _conv("c3", "pad", "k3", stride=2, padding="VALID"),
        _node("mean", "Mean", "c3", "axes", keep_dims={"b": False}, Tidx={"type": "DT_INT32"}),
        _node(
            "fc",
            "_FusedMatMul",
            "mean",
            "k4",
            "b4",
            fused_ops=_strings(["BiasAdd", "Relu"]),
            num_args={"i": "1"},
            epsilon={"f": 0.0},
            transpose_a={"b": False},
            transpose_b={"b": False},
        ),
        _node("out", "MatMul", "fc", "k5", transpose_a={"b": False}, transpose_b={"b": True}),
        _node("side", "MaxPool", "x", "side_k"),  # unsupported, but on no needed path
    ]


def _tiny_reference(x: np.ndarray, w: dict[str, np.ndarray], dw_stride: int) -> tuple[np.ndarray, np.ndarray]:
    """(``out``, ``prelu``) of :func:`_tiny_nodes` in float64 NHWC."""
    w = {k: v.astype(np.float64) for k, v in w.items()}
    h = np.clip(np.maximum(_np_conv(x, w["k1"], 2, "SAME") + w["b1"], 0.0), None, 6.0)
    h = _np_conv(h, w["k2"], dw_stride, "SAME", depthwise=True) * w["s2"] + w["t2"]
    prelu = np.maximum(h, 0) + w["alpha"] * np.minimum(h, 0)
    h = np.pad(prelu, [(0, 0), (1, 2), (0, 1), (0, 0)])
    h = _np_conv(h, w["k3"], 2, "VALID").mean(axis=(1, 2))
    h = np.maximum(h @ w["k4"] + w["b4"], 0)
    return h @ w["k5"].T, prelu


# --- weight-free ---------------------------------------------------------------------


def test_tf_same_padding_puts_the_odd_pixel_at_the_end() -> None:
    assert _tf_same(10, 3, 2) == (0, 1)  # even size, stride 2: nothing on top, one row at the bottom
    assert _tf_same(9, 3, 2) == (1, 1)
    assert _tf_same(10, 3, 1) == (1, 1)


@pytest.mark.parametrize("size", [9, 10])
@pytest.mark.parametrize("dw_stride", [1, 2])
@pytest.mark.parametrize("fuse", [True, False])
def test_tiny_graph_matches_numpy_reference(tmp_path: Path, size: int, dw_stride: int, fuse: bool) -> None:
    rng = np.random.default_rng(size + 10 * dw_stride)
    weights = _tiny_weights(rng)
    weights["k1"] = weights["k1"].astype(np.float16).astype(np.float32)  # stored fp16: exact
    path = _write_model(tmp_path, _tiny_nodes(dw_stride), weights, fp16=("k1",))
    net = load_tfjs_graph(path, "out", "prelu", fuse=fuse)
    x = rng.uniform(-4, 4, (2, size, size + 1, 3))  # non-square too: H and W padded independently
    ref_out, ref_prelu = _tiny_reference(x, weights, dw_stride)
    with torch.no_grad():
        out, prelu = net.forward_features(_nchw(x))
        alone = net(_nchw(x))
    assert (ref_prelu > 6).any() or (ref_prelu < 0).any()  # the activations are exercised
    np.testing.assert_allclose(out.numpy(), ref_out, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(prelu.numpy(), ref_prelu.transpose(0, 3, 1, 2), rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(alone, out, rtol=0, atol=0)


def test_fusion_folds_the_patterns(tmp_path: Path) -> None:
    path = _write_model(tmp_path, _tiny_nodes(1), _tiny_weights(np.random.default_rng(0)))
    kinds = [s.kind for s in load_tfjs_graph(path, "out", "prelu")._steps]
    assert kinds == ["input", "conv", "clamp", "conv", "prelu", "pad", "conv", "mean", "matmul", "clamp", "matmul"]
    unfused = [s.kind for s in load_tfjs_graph(path, "out", "prelu", fuse=False)._steps]
    assert "binary" in unfused and "prelu" not in unfused


def test_reshape_flattens_in_nhwc_order_and_concat_maps_axes(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    weights = {
        "k": rng.normal(size=(1, 1, 3, 4)).astype(np.float32),
        "axis": np.array(-1, np.int32),
        "shape": np.array([-1, 3 * 3 * 7], np.int32),
        "w": rng.normal(size=(63, 5)).astype(np.float32),
    }
    nodes = [
        _conv("c", "x", "k"),
        _node("cat", "ConcatV2", "c", "x", "axis", N={"i": "2"}, Tidx={"type": "DT_INT32"}),
        _node("flat", "Reshape", "cat", "shape", Tshape={"type": "DT_INT32"}),
        _node("fc", "MatMul", "flat", "w"),
        _node("out", "Softmax", "fc"),
    ]
    net = load_tfjs_graph(_write_model(tmp_path, nodes, weights, input_shape=(3, 3, 3)), "out")
    x = rng.normal(size=(2, 3, 3, 3))
    flat = np.concatenate([x @ weights["k"][0, 0], x], axis=-1).reshape(2, -1)  # NHWC order
    logits = flat @ weights["w"]
    ref = np.exp(logits - logits.max(1, keepdims=True))
    with torch.no_grad():
        out = net(_nchw(x)).numpy()
    np.testing.assert_allclose(out, ref / ref.sum(1, keepdims=True), rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="3 x 3"):
        net(torch.zeros(1, 3, 4, 4))


def test_fp16_weights_are_read_as_float16(tmp_path: Path) -> None:
    exact = np.array([0.5, -1.25, 3.0, 2.0**-14, 1024.0, -65504.0], np.float32)  # representable in fp16
    weights = {"exact": exact, "rounded": np.array([0.1, 1 / 3], np.float32), "plain": np.array([0.1], np.float32)}
    graph = read_tfjs_graph(_write_model(tmp_path, [], weights, fp16=("exact", "rounded")))
    assert graph.stored == {"exact": "float16", "rounded": "float16", "plain": "float32"}
    assert graph.weights["exact"].dtype == np.float32
    np.testing.assert_array_equal(graph.weights["exact"], exact)  # round trip is exact
    np.testing.assert_array_equal(graph.weights["rounded"], np.array([0.1, 1 / 3], np.float16).astype(np.float32))
    assert graph.weights["rounded"][0] == np.float32(0.0999755859375) != np.float32(0.1)  # 2 bytes were read
    assert graph.weights["plain"][0] == np.float32(0.1)


def test_uint8_affine_quantisation(tmp_path: Path) -> None:
    path = _write_model(tmp_path, [], {"q": np.zeros(4, np.float32)})
    (tmp_path / "model.1.bin").write_bytes(bytes([0, 1, 255, 10]))
    (tmp_path / "model.2.bin").write_bytes(b"")

    def quantise(model: dict) -> None:
        model["weightsManifest"][0]["weights"][0]["quantization"] = {"dtype": "uint8", "scale": 0.5, "min": -2.0}

    graph = read_tfjs_graph(_edit(path, quantise))
    np.testing.assert_array_equal(graph.weights["q"], [-2.0, -1.5, 125.5, 3.0])


def test_only_needed_nodes_are_converted(tmp_path: Path) -> None:
    path = _write_model(tmp_path, _tiny_nodes(1), _tiny_weights(np.random.default_rng(2)))
    net = load_tfjs_graph(path, "prelu")  # nothing after the PReLU
    assert set(dict(net.named_buffers())) == {"c1__w", "c1__b", "dw__w", "dw__b", "prelu__alpha"}
    assert set(dict(load_tfjs_graph(path, "prelu", fuse=False).named_buffers())) == {
        "c1__w",
        "b1",
        "six",
        "zero",
        "dw__w",
        "s2",
        "t2",
        "alpha",
    }
    with pytest.raises(ModelError, match="MaxPool"):
        load_tfjs_graph(path, "side")


def test_buffers_not_parameters_and_gradients_reach_input(tmp_path: Path) -> None:
    path = _write_model(tmp_path, _tiny_nodes(2), _tiny_weights(np.random.default_rng(3)))
    net = load_tfjs_graph(path, "out", "prelu")
    assert isinstance(net, TfjsGraphModule) and not net.training
    assert list(net.parameters()) == [] and len(list(net.buffers())) >= 8
    x = (torch.rand(2, 3, 10, 10) * 4).requires_grad_(True)
    out, feat = net.forward_features(x)
    (out.square().sum() + feat.sum()).backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad[0].abs().sum() > 0
    net64 = net.double()  # buffers follow .to()
    assert net64(x.detach().double()).dtype == torch.float64
    with pytest.raises(ValueError, match="feature"):
        load_tfjs_graph(path, "out").forward_features(x)


def _set_attr(node: str, key: str, value: Any) -> Any:
    def fn(model: dict) -> None:
        if value is None:
            del _nodes(model)[node]["attr"][key]
        else:
            _nodes(model)[node]["attr"][key] = value

    return fn


def _set_op(node: str, op: str) -> Any:
    def fn(model: dict) -> None:
        _nodes(model)[node]["op"] = op

    return fn


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_set_op("c1/relu", "Elu"), "Elu"),
        (_set_op("c1", "Conv3D"), "Conv3D"),
        (_set_attr("c1", "data_format", _s("NCHW")), "data_format"),
        (_set_attr("c1", "strides", _ints([2, 2, 2, 1])), "strides"),
        (_set_attr("c1", "dilations", _ints([1, 1, 1, 2])), "dilations"),
        (_set_attr("c1", "padding", _s("FULL")), "padding"),
        (_set_attr("c1", "padding", _s("EXPLICIT")), "explicit_paddings"),
        (_set_attr("c1", "surprise", {"b": True}), "surprise"),
        (_set_attr("c1", "T", {"type": "DT_HALF"}), "dtype"),
        (_set_attr("fc", "fused_ops", _strings(["BiasAdd", "Elu"])), "Elu"),
        (_set_attr("fc", "fused_ops", _strings(["FusedBatchNorm"])), "fused ops"),
        (_set_attr("fc", "transpose_a", {"b": True}), "transpose_a"),
        (_set_attr("pad", "Tpaddings", None), None),  # a missing type attribute is fine
    ],
)
def test_unsupported_op_or_attribute_raises(tmp_path: Path, edit: Any, match: str | None) -> None:
    path = _edit(_write_model(tmp_path, _tiny_nodes(1), _tiny_weights(np.random.default_rng(4))), edit)
    if match is None:
        load_tfjs_graph(path, "out")
        return
    with pytest.raises(ModelError, match=match):
        load_tfjs_graph(path, "out")


def test_explicit_padding_is_supported(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    k = rng.normal(size=(3, 3, 3, 2)).astype(np.float32)
    node = _conv("c", "x", "k", stride=2, padding="EXPLICIT", explicit_paddings=_ints([0, 0, 2, 0, 1, 3, 0, 0]))
    net = load_tfjs_graph(_write_model(tmp_path, [node], {"k": k}), "c")
    x = rng.normal(size=(1, 7, 8, 3))
    ref = _np_conv(np.pad(x, [(0, 0), (2, 0), (1, 3), (0, 0)]), k, 2, "VALID")
    with torch.no_grad():
        np.testing.assert_allclose(net(_nchw(x)).numpy(), ref.transpose(0, 3, 1, 2), rtol=1e-4, atol=1e-5)


def test_broken_files_raise(tmp_path: Path) -> None:
    path = _write_model(tmp_path, _tiny_nodes(1), _tiny_weights(np.random.default_rng(6)))
    with pytest.raises(ModelError, match="not in the graph"):
        load_tfjs_graph(path, "nonexistent")
    blob = (tmp_path / "model.2.bin").read_bytes()
    (tmp_path / "model.2.bin").write_bytes(blob + b"\0\0\0\0")
    with pytest.raises(ModelError, match="left over"):
        read_tfjs_graph(path)
    (tmp_path / "model.2.bin").write_bytes(blob[:-4])
    with pytest.raises(ModelError, match="truncated"):
        read_tfjs_graph(path)
    (tmp_path / "model.2.bin").unlink()
    with pytest.raises(ModelError, match="missing"):
        read_tfjs_graph(path)
    (tmp_path / "model.2.bin").write_bytes(blob)
    read_tfjs_graph(path)  # restored

    def int8(model: dict) -> None:
        model["weightsManifest"][0]["weights"][0]["quantization"] = {"dtype": "int8", "scale": 1.0, "min": 0.0}

    with pytest.raises(ModelError, match="int8"):
        read_tfjs_graph(_edit(path, int8))
    (tmp_path / "bad.json").write_text('{"format": "layers-model"}')
    with pytest.raises(ModelError):
        read_tfjs_graph(tmp_path / "bad.json")


# --- real weights and faces -------------------------------------------------------------

#: name -> (builder, input size, BGR input, README AUC / same-person / different-person means)
PORTS: dict[str, tuple[Any, int, bool, tuple[float, float, float]]] = {
    "faceres": (faceres_from_tfjs, 224, True, (0.9998, 0.757, 0.405)),
    "mobileface": (mobileface_from_tfjs, 112, False, (0.978, 0.433, 0.041)),
}


def _net_input(pixels: torch.Tensor, bgr: bool) -> torch.Tensor:
    """RGB [0, 1] -> the graphs' own convention: 0..255, BGR for FaceRes."""
    return (pixels.flip(1) if bgr else pixels) * 255.0


@pytest.fixture(scope="module")
def photos() -> dict[Any, Any]:
    """Every labelled photo: largest YuNet face, warped to the ArcFace template at 112 and 224 px."""
    faces = labelled_faces()
    crops = {
        size: [
            cv2.warpAffine(bgr, arcface_matrix(det[4:14].reshape(5, 2), size), (size, size)) for bgr, det, _ in faces
        ]
        for size in (112, 224)
    }
    return {**crops, "ids": [i for _, _, i in faces]}


@pytest.fixture(scope="module", params=list(PORTS))
def port(request: pytest.FixtureRequest, photos: dict[Any, Any]) -> dict[str, Any]:
    """One port, built once, with the raw embeddings of all photos."""
    name = request.param
    build, size, bgr, readme = PORTS[name]
    model_path(f"{name}_weights")
    net = build(model_path(name))
    x = _net_input(bgr_to_tensor(photos[size]), bgr)
    with torch.no_grad():
        emb = torch.cat([net(x[i : i + 16]) for i in range(0, len(x), 16)]).numpy()
    return {"name": name, "net": net, "size": size, "bgr": bgr, "readme": readme, "emb": emb}


@pytest.mark.weights
def test_reproduces_readme_separation(port: dict[str, Any], photos: dict[Any, Any]) -> None:
    assert len(photos["ids"]) == N_PHOTOS
    same, diff = same_and_different(port["emb"], photos["ids"])
    assert (len(same), len(diff)) == (N_SAME, N_DIFF)
    auc, same_mean, diff_mean = port["readme"]
    assert abs(roc_auc(same, diff) - auc) <= 0.01, roc_auc(same, diff)
    assert abs(same.mean() - same_mean) <= 0.01, same.mean()
    assert abs(diff.mean() - diff_mean) <= 0.01, diff.mean()


@pytest.mark.weights
def test_gradient_reachesbgr_to_tensor(port: dict[str, Any], photos: dict[Any, Any]) -> None:
    net: TfjsGraphModule = port["net"]
    pixels = bgr_to_tensor(photos[port["size"]][:2]).requires_grad_(True)
    emb, features = net.forward_features(_net_input(pixels, port["bgr"]))
    assert features.shape == (2, *net.feature_shape) and features.grad_fn is not None
    emb = torch.nn.functional.normalize(emb, dim=1)
    (emb[0] @ emb[1] + features.mean()).backward()
    assert pixels.grad is not None and torch.isfinite(pixels.grad).all()
    assert pixels.grad[0].abs().sum() > 0 and pixels.grad[1].abs().sum() > 0
    assert all(not b.requires_grad for b in net.buffers()) and list(net.parameters()) == []


@pytest.mark.weights
def test_fused_equals_unfused_and_features_match_forward(port: dict[str, Any], photos: dict[Any, Any]) -> None:
    net: TfjsGraphModule = port["net"]
    plain = load_tfjs_graph(model_path(port["name"]), net.output, net.feature, fuse=False)
    x = _net_input(bgr_to_tensor(photos[port["size"]][:3]), port["bgr"])
    with torch.no_grad():
        emb, feat = net.forward_features(x)
        ref_emb, ref_feat = plain.forward_features(x)
        alone = net(x)
    torch.testing.assert_close(alone, emb, rtol=0, atol=0)
    np.testing.assert_allclose(emb.numpy(), port["emb"][:3], rtol=1e-4, atol=1e-4)  # batch 3 == batch 16
    torch.testing.assert_close(emb, ref_emb, rtol=1e-4, atol=1e-4 * float(ref_emb.abs().max()))
    torch.testing.assert_close(feat, ref_feat, rtol=1e-4, atol=1e-4 * float(ref_feat.abs().max()))
