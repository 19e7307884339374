"""Read TensorFlow.js *graph models*: ``model.json`` (graph + ``weightsManifest``) and its ``*.bin`` shards.

A graph model's JSON holds ``modelTopology.node`` (TensorFlow ``NodeDef``s as JSON: ``name``,
``op``, ``input``, ``attr`` with strings base64-encoded and integers as strings) and a
``weightsManifest``: groups of ``.bin`` files (``paths``, relative to the JSON, concatenated in
order) with the ``weights`` they hold, back to back: ``name``, ``dtype``, ``shape`` and, for
quantised weights, ``quantization`` (``{"dtype": "float16"}``, or ``{"dtype": "uint8"|"uint16",
"scale": s, "min": m}`` meaning ``value = q * s + m``). :func:`read_tfjs_graph` decodes every
weight to numpy, floats as float32 whatever their storage, in TensorFlow layout (NHWC tensors,
``kh x kw x in x out`` kernels), and refuses a ``.bin`` whose length differs from the manifest.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from photoguard.errors import ModelError

_DTYPES: dict[str, str] = {"float32": "<f4", "int32": "<i4", "bool": "|b1"}
_QUANT: dict[str, str] = {"float16": "<f2", "uint8": "|u1", "uint16": "<u2"}


@dataclass(frozen=True)
class GraphNode:
    """One node of ``modelTopology.node``: ``attr`` is the raw JSON (``{"s": base64}``, ``{"list": …}``…)."""

    name: str
    op: str
    inputs: tuple[str, ...]
    attr: dict[str, Any]


@dataclass
class TfjsGraph:
    """A decoded TF.js graph model.

    Attributes:
        nodes: graph nodes by name.
        weights: every manifest tensor by name, TF layout (NHWC, ``kh x kw x in x out``); floats
            as float32 whatever their storage.
        stored: how each weight was stored in the ``.bin`` (``"float32"``, ``"float16"``, ``"uint8"``…).
        path: the ``model.json`` it came from.
    """

    nodes: dict[str, GraphNode]
    weights: dict[str, np.ndarray]
    stored: dict[str, str]
    path: Path


def _decode(entry: dict[str, Any], buf: bytes, offset: int, where: str) -> tuple[np.ndarray, int, str]:
    """Decode one manifest entry at ``offset`` of its group's bytes: (value, next offset, stored dtype)."""
    name, dtype, shape = entry["name"], entry["dtype"], [int(d) for d in entry["shape"]]
    quant = entry.get("quantization")
    stored = quant["dtype"] if quant else dtype
    layout = (_QUANT if quant else _DTYPES).get(stored)
    if layout is None or dtype not in _DTYPES:
        raise ModelError(f"{where}: weight {name!r} has unsupported dtype {dtype!r} (stored as {stored!r})")
    count = int(np.prod(shape, dtype=np.int64))
    nbytes = count * np.dtype(layout).itemsize
    if offset + nbytes > len(buf):
        raise ModelError(f"{where}: weight {name!r} runs past the end of the weight file (truncated .bin?)")
    raw = np.frombuffer(buf, dtype=layout, count=count, offset=offset)
    if not quant:
        value = raw.copy()
    elif stored == "float16":
        if dtype != "float32":
            raise ModelError(f"{where}: weight {name!r} is float16-quantised but its dtype is {dtype!r}")
        value = raw.astype(np.float32)
    else:
        if "scale" not in quant or "min" not in quant:
            raise ModelError(f"{where}: weight {name!r} is {stored}-quantised without scale/min")
        value = raw.astype(np.float64) * float(quant["scale"]) + float(quant["min"])
        value = np.round(value).astype(np.int32) if dtype == "int32" else value.astype(np.float32)
    return value.reshape(shape).astype(np.dtype(_DTYPES[dtype]).newbyteorder("="), copy=False), offset + nbytes, stored


def read_tfjs_graph(path: str | Path) -> TfjsGraph:
    """Read ``model.json`` and decode its weights (the ``.bin`` files named in ``weightsManifest[*].paths``).

    Raises:
        ModelError: missing or unreadable files, not a graph model, unsupported weight dtype,
            a ``.bin`` shorter or longer than its manifest says.
    """
    path = Path(path)
    try:
        model = json.loads(path.read_text(encoding="utf-8"))
        nodes_json = model["modelTopology"]["node"]
        manifest = model["weightsManifest"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"not a readable TF.js graph model ({exc})", path=path) from None
    if model.get("format", "graph-model") != "graph-model":
        raise ModelError(f"format {model.get('format')!r}, only TF.js graph models are supported", path=path)
    nodes = {}
    for n in nodes_json:
        nodes[n["name"]] = GraphNode(n["name"], n["op"], tuple(n.get("input", ())), n.get("attr", {}))
    weights, stored = {}, {}
    for group in manifest:
        try:
            buf = b"".join((path.parent / p).read_bytes() for p in group["paths"])
        except OSError as exc:
            raise ModelError(f"weight file missing or unreadable ({exc})", path=path) from None
        offset, where = 0, f"{path} ({', '.join(group['paths'])})"
        for entry in group["weights"]:
            weights[entry["name"]], offset, stored[entry["name"]] = _decode(entry, buf, offset, where)
        if offset != len(buf):
            raise ModelError(f"{where}: {len(buf) - offset} bytes left over after the last weight (wrong .bin?)")
    return TfjsGraph(nodes, weights, stored, path)


def node_attr(node: GraphNode, key: str, default: Any = None) -> Any:
    """A node attribute as a Python value (base64 strings decoded, list ints as ints)."""
    a = node.attr.get(key)
    if not a:
        return default
    if "list" in a:
        lst = a["list"]
        if "i" in lst:
            return [int(v) for v in lst["i"]]
        if "s" in lst:
            return [base64.b64decode(v).decode() for v in lst["s"]]
        return [float(v) for v in lst.get("f", [])]
    if "s" in a:
        return base64.b64decode(a["s"]).decode()
    for kind, cast in (("i", int), ("f", float), ("b", bool), ("type", str)):
        if kind in a:
            return cast(a[kind])
    return a
