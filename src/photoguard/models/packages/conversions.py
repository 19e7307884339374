"""Conversions that turn a file published in a package into the weight file the manifest lists.

Each is a pure function ``bytes -> bytes``, named by the manifest's ``convert`` field, written to
reproduce the shipped file byte for byte (the fetch checks the manifest's sha256, so a conversion
that drifted is refused rather than installed):

- ``sface_dequantise``: OpenCV zoo ``face_recognition_sface_2021dec_int8bq.onnx`` (block-wise int8
  weights behind ``DequantizeLinear`` + ``Reshape``) -> ``sface_2021dec_fp32.onnx`` (the same
  graph with those folded into fp32 initialisers).
- ``facenet_from_frozen_graph``: :func:`photoguard.models.packages.facenet_tf.facenet_from_frozen_graph`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from photoguard.errors import ModelError

#: The header of the shipped fp32 SFace file: IR version 7, default-domain opset 13 (without
#: DequantizeLinear, which needs opset 21 for block sizes, the graph's ops all exist in 13).
SFACE_IR_VERSION = 7
SFACE_OPSET = 13


def dequantize(x: np.ndarray, scale: np.ndarray, zero_point: np.ndarray, axis: int, block_size: int) -> np.ndarray:
    """ONNX ``DequantizeLinear``: ``(x - zero_point) * scale`` in float32.

    Per tensor (scalar scale), per axis (1-D scale along ``axis``) or block-wise (``block_size`` > 0:
    ``scale`` has ``x``'s rank, with ``ceil(x.shape[axis] / block_size)`` entries along ``axis``).
    """
    axis = axis % x.ndim
    if block_size > 0:
        scale = np.repeat(scale, block_size, axis=axis).take(range(x.shape[axis]), axis=axis)
        zero_point = np.repeat(zero_point, block_size, axis=axis).take(range(x.shape[axis]), axis=axis)
    elif scale.ndim == 1 and scale.size > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        scale, zero_point = scale.reshape(shape), zero_point.reshape(shape)
    centred = x.astype(np.int32) - zero_point.astype(np.int32)  # exact: int8/uint8 differences
    return (centred.astype(np.float32) * scale.astype(np.float32)).astype(np.float32)


def sface_dequantise(data: bytes) -> bytes:
    """Fold every ``DequantizeLinear`` of constant inputs (and a ``Reshape`` of its output by a
    constant shape) into an fp32 initialiser named after the folded value; drop those nodes, the
    initialisers nothing uses any more, and the graph inputs that are initialisers or that no node
    reads (the int8 file still lists the fp32 weight names it replaced as inputs)."""
    import onnx
    from google.protobuf.message import DecodeError
    from onnx import numpy_helper

    try:
        source = onnx.load_model_from_string(data)
    except DecodeError as exc:
        raise ModelError(f"SFace conversion: the input is not an ONNX model ({exc})") from None
    graph = source.graph
    inits = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    folded: dict[str, np.ndarray] = {}  # value name -> array, in the order the nodes make them
    kept = []
    for node in graph.node:
        if node.op_type == "DequantizeLinear" and all(name in inits for name in node.input):
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            x, scale, *zero = (inits[name] for name in node.input)
            zero_point = zero[0] if zero else np.zeros_like(x)
            folded[node.output[0]] = dequantize(x, scale, zero_point, attrs.get("axis", 1), attrs.get("block_size", 0))
        elif node.op_type == "Reshape" and node.input[0] in folded and node.input[1] in inits:
            source_name, shape = node.input[0], inits[node.input[1]]  # renamed in place: order kept
            folded = {
                (node.output[0] if name == source_name else name): (v.reshape(shape) if name == source_name else v)
                for name, v in folded.items()
            }
        else:
            kept.append(node)
    used = {name for node in kept for name in node.input}
    model = onnx.ModelProto(ir_version=SFACE_IR_VERSION)
    model.opset_import.add(domain="", version=SFACE_OPSET)
    out = model.graph
    out.name = graph.name
    out.node.extend(kept)
    out.initializer.extend(numpy_helper.from_array(inits[i.name], i.name) for i in graph.initializer if i.name in used)
    out.initializer.extend(numpy_helper.from_array(value, name) for name, value in folded.items())
    out.input.extend(value for value in graph.input if value.name in used and value.name not in inits)
    out.output.extend(graph.output)
    out.value_info.extend(graph.value_info)
    return model.SerializeToString()


def _facenet(data: bytes) -> bytes:
    from photoguard.models.packages.facenet_tf import facenet_from_frozen_graph

    return facenet_from_frozen_graph(data)


#: Manifest ``convert`` name -> the conversion.
CONVERSIONS: dict[str, Callable[[bytes], bytes]] = {
    "sface_dequantise": sface_dequantise,
    "facenet_from_frozen_graph": _facenet,
}


def convert(name: str, data: bytes) -> bytes:
    """Run the conversion ``name`` on ``data``.

    Raises:
        ModelError: unknown conversion, or the input is not what the conversion reads (one line).
    """
    try:
        conversion = CONVERSIONS[name]
    except KeyError:
        raise ModelError(f"unknown conversion {name!r} in the manifest; known: {', '.join(CONVERSIONS)}") from None
    try:
        return conversion(data)
    except ModelError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, RuntimeError) as exc:  # malformed input
        raise ModelError(f"conversion {name} failed: {type(exc).__name__}: {exc}") from None
