"""Read weights out of ONNX graphs and copy them into PyTorch layers, checking every shape.

The native ports (:mod:`~photoguard.models.arcface`, :mod:`~photoguard.models.sface`) list
their layers in the order the ONNX graph runs them; :func:`graph_layers` lists the graph's
weighted nodes in the same order and :func:`load_layers` pairs the two, refusing any
difference in op type, tensor shape, stride, padding or groups. A wrong mapping therefore
fails at load time instead of giving quietly wrong embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from photoguard.errors import ModelError

#: ONNX op types that carry weights, and the PyTorch layer each one maps to.
_TORCH_TYPES: dict[str, tuple[type[nn.Module], ...]] = {
    "Conv": (nn.Conv2d,),
    "PRelu": (nn.PReLU,),
    "BatchNormalization": (nn.BatchNorm1d, nn.BatchNorm2d),
    "Gemm": (nn.Linear,),
}


@dataclass(frozen=True)
class OnnxLayer:
    """One weighted node of an ONNX graph.

    Attributes:
        op_type: ``"Conv"``, ``"PRelu"``, ``"BatchNormalization"`` or ``"Gemm"``.
        name: the node name (may be empty).
        params: the node's initialiser inputs in input order (e.g. Conv: weight, bias).
        attrs: the node's attributes (``strides``, ``pads``, ``group``, ``epsilon``…).
    """

    op_type: str
    name: str
    params: tuple[np.ndarray, ...]
    attrs: dict[str, Any] = field(default_factory=dict)


def load_initializers(path: str | Path) -> dict[str, np.ndarray]:
    """All initialisers of the ONNX file at ``path``, by name, as numpy arrays."""
    graph = onnx.load(str(path)).graph
    return {init.name: numpy_helper.to_array(init) for init in graph.initializer}


def graph_layers(path: str | Path, op_types: Sequence[str] = tuple(_TORCH_TYPES)) -> list[OnnxLayer]:
    """The nodes of ``op_types`` in graph (execution) order, with their weights and attributes."""
    graph = onnx.load(str(path)).graph
    inits = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    layers = []
    for node in graph.node:
        if node.op_type not in op_types:
            continue
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        params = tuple(inits[name] for name in node.input if name in inits)
        layers.append(OnnxLayer(node.op_type, node.name, params, attrs))
    return layers


def graph_constant(path: str | Path, name: str) -> float:
    """A scalar initialiser of the graph (e.g. SFace's input offset), as a Python float."""
    value = load_initializers(path)[name]
    if value.size != 1:
        raise ModelError(f"initialiser {name!r} has shape {value.shape}, expected a scalar", path=path)
    return float(value.reshape(()))


def _copy(target: torch.Tensor, source: np.ndarray, what: str) -> None:
    """Copy ``source`` into ``target``; PReLU slopes ``C x 1 x 1`` are accepted for ``C``."""
    array = np.asarray(source, dtype=np.float32)
    if array.shape != tuple(target.shape):
        if array.size == target.numel() and array.ndim == 3 and array.shape[1:] == (1, 1):
            array = array.reshape(target.shape)
        else:
            raise ModelError(f"{what}: ONNX shape {array.shape} != module shape {tuple(target.shape)}")
    with torch.no_grad():
        target.copy_(torch.from_numpy(array.copy()))


def _check_conv(layer: OnnxLayer, conv: nn.Conv2d, what: str) -> None:
    pads = layer.attrs.get("pads", [0, 0, 0, 0])
    expected = {
        "strides": list(conv.stride),
        "group": conv.groups,
        "pads": [conv.padding[0], conv.padding[1], conv.padding[0], conv.padding[1]],
        "dilations": list(conv.dilation),
    }
    got = {
        "strides": list(layer.attrs.get("strides", [1, 1])),
        "group": layer.attrs.get("group", 1),
        "pads": list(pads),
        "dilations": list(layer.attrs.get("dilations", [1, 1])),
    }
    if got != expected:
        raise ModelError(f"{what}: ONNX conv attributes {got} != module {expected}")
    has_bias = len(layer.params) == 2
    if has_bias != (conv.bias is not None):
        raise ModelError(f"{what}: ONNX conv has_bias={has_bias}, module has_bias={conv.bias is not None}")


def load_layer(module: nn.Module, layer: OnnxLayer, what: str = "") -> None:
    """Copy one ONNX node's weights into ``module``; raises :class:`ModelError` on any mismatch."""
    what = what or f"{layer.op_type} {layer.name!r}"
    if not isinstance(module, _TORCH_TYPES[layer.op_type]):
        raise ModelError(f"{what}: ONNX {layer.op_type} mapped onto {type(module).__name__}")
    if isinstance(module, nn.Conv2d):
        _check_conv(layer, module, what)
        _copy(module.weight, layer.params[0], what + " weight")
        if module.bias is not None:
            _copy(module.bias, layer.params[1], what + " bias")
    elif isinstance(module, nn.PReLU):
        _copy(module.weight, layer.params[0], what + " slope")
    elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        eps = float(layer.attrs.get("epsilon", 1e-5))
        if not np.isclose(eps, module.eps, rtol=1e-4):
            raise ModelError(f"{what}: ONNX epsilon {eps} != module eps {module.eps}")
        gamma, beta, mean, var = layer.params
        assert module.running_mean is not None and module.running_var is not None
        _copy(module.weight, gamma, what + " gamma")
        _copy(module.bias, beta, what + " beta")
        _copy(module.running_mean, mean, what + " mean")
        _copy(module.running_var, var, what + " var")
    elif isinstance(module, nn.Linear):
        if layer.attrs.get("transB", 0) != 1 or layer.attrs.get("transA", 0) != 0:
            raise ModelError(f"{what}: only Gemm with transA=0, transB=1 maps onto nn.Linear")
        _copy(module.weight, layer.params[0], what + " weight")
        if module.bias is not None:
            _copy(module.bias, layer.params[1], what + " bias")


def load_layers(modules: Sequence[nn.Module], path: str | Path) -> None:
    """Load every weighted node of the graph at ``path`` into ``modules``, pairing them in order.

    Args:
        modules: the port's weighted layers in graph execution order.
        path: the ONNX file.

    Raises:
        ModelError: the counts, op types, shapes or conv attributes differ.
    """
    layers = graph_layers(path)
    if len(layers) != len(modules):
        raise ModelError(f"graph has {len(layers)} weighted nodes, the module {len(modules)}", path=path)
    for index, (module, layer) in enumerate(zip(modules, layers, strict=True)):
        load_layer(module, layer, f"{Path(path).name} node {index} ({layer.op_type} {layer.name!r})")
