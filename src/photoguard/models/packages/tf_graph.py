"""The float32 constants of a frozen TensorFlow graph (``GraphDef`` protobuf), without TensorFlow.

A frozen graph stores every weight as a ``Const`` node whose ``value`` attribute is a
``TensorProto``. This module reads just those messages from the protobuf wire format; the field
numbers are TensorFlow's (``graph.proto``, ``node_def.proto``, ``attr_value.proto``,
``tensor.proto``, ``tensor_shape.proto``):

- ``GraphDef.node = 1`` -> ``NodeDef { name = 1; op = 2; attr = 5 (map: key = 1, value = 2) }``
- ``AttrValue.tensor = 8`` -> ``TensorProto { dtype = 1; tensor_shape = 2; tensor_content = 4;
  float_val = 5 }``, ``TensorShapeProto.dim = 2`` -> ``Dim { size = 1 }``
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from photoguard.errors import ModelError

_DT_FLOAT = 1
_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """``(field number, wire type, value)`` of each field of one message; varints as ints."""
    pos, end = 0, len(data)
    while pos < end:
        key, pos = _varint(data, pos)
        wire = key & 7
        if wire == _VARINT:
            value, pos = _varint(data, pos)
            yield key >> 3, wire, value
            continue
        if wire == _LENGTH:
            size, pos = _varint(data, pos)
        elif wire in (_FIXED32, _FIXED64):
            size = 4 if wire == _FIXED32 else 8
        else:
            raise ModelError(f"frozen graph: unsupported protobuf wire type {wire}")
        if pos + size > end:
            raise ModelError("frozen graph: truncated protobuf message")
        yield key >> 3, wire, data[pos : pos + size]
        pos += size


def _bytes(value: int | bytes) -> bytes:
    """A length-delimited (or fixed-width) field's payload; a varint where one is expected is an error."""
    if isinstance(value, int):
        raise ModelError("frozen graph: a varint where a message or string was expected")
    return value


def _tensor(data: bytes) -> np.ndarray | None:
    """A ``TensorProto`` as a float32 array; None for other dtypes."""
    dtype: int | bytes | None = None
    shape: list[int] = []
    content: bytes | None = None
    values: list[float] = []
    for field, _, value in _fields(data):
        if field == 1:
            dtype = value
        elif field == 2:
            for dim_field, _, dim in _fields(_bytes(value)):
                if dim_field == 2:
                    shape.append(next((int(v) for f, _, v in _fields(_bytes(dim)) if f == 1), 0))
        elif field == 4:
            content = _bytes(value)
        elif field == 5:  # packed (wire type 2) or one fixed32 (wire type 5)
            values.extend(np.frombuffer(_bytes(value), "<f4").tolist())
    if dtype != _DT_FLOAT:
        return None
    if content is not None:
        return np.frombuffer(content, "<f4").reshape(shape)
    if len(values) == 1:  # TensorFlow's shorthand: one value fills the whole shape
        return np.full(shape, values[0], np.float32)
    return np.asarray(values, np.float32).reshape(shape)


def _const_tensor(node: bytes) -> tuple[str, bytes | None]:
    """``(name, TensorProto bytes)`` of a ``Const`` ``NodeDef``; ``(name, None)`` for any other op."""
    name = op = ""
    tensor = None
    for field, _, value in _fields(node):
        if field == 1:
            name = _bytes(value).decode()
        elif field == 2:
            op = _bytes(value).decode()
        elif field == 5:  # one entry of the attr map: key = 1, value = 2 (an AttrValue)
            entry = {f: v for f, _, v in _fields(_bytes(value))}
            if entry.get(1) == b"value" and 2 in entry:
                tensor = next((_bytes(v) for f, _, v in _fields(_bytes(entry[2])) if f == 8), None)
    return name, tensor if op == "Const" else None


def float_constants(graph: bytes) -> dict[str, np.ndarray]:
    """Every float32 ``Const`` node of the serialised ``GraphDef`` ``graph``: name -> array (read-only).

    Raises:
        ModelError: ``graph`` is not a readable ``GraphDef``.
    """
    out: dict[str, np.ndarray] = {}
    try:
        for field, _, node in _fields(graph):
            if field != 1:
                continue
            name, tensor = _const_tensor(_bytes(node))
            if tensor is not None and (array := _tensor(tensor)) is not None:
                out[name] = array
    except (IndexError, ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"frozen graph is not a readable TensorFlow GraphDef: {exc}") from None
    return out
