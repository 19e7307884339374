"""Lower the needed part of a TF.js graph to a flat list of torch-level steps, and fuse common patterns.

:func:`lower_graph` walks back from the target nodes (only their ancestors are converted, so
unsupported ops elsewhere, e.g. on unused heads, do no harm) and turns each node into one or
more :class:`Step`. Every op, attribute and attribute value is checked: anything this port
does not implement exactly raises :class:`ModelError`. Arrays stay in TensorFlow layout here;
:mod:`photoguard.models.tfjs_graph` converts them to torch layout when it registers them.

:func:`fuse_steps` folds, where the intermediate value has one user and is not a target:
per-channel ``Mul``/``Add``/``Sub`` by constants after a convolution or MatMul into its kernel
and bias; ``max(x, 0) + a * min(x, 0)`` into a PReLU; ``Relu``/``Relu6``/``Maximum``/``Minimum``
with scalar constants into one ``clamp`` per chain (ReLU6 = Relu, Minimum 6, Maximum 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from photoguard.errors import ModelError
from photoguard.models.tfjs_weights import GraphNode, TfjsGraph, node_attr

_CONV = {"T", "data_format", "dilations", "explicit_paddings", "padding", "strides", "use_cudnn_on_gpu"}
_FUSED = {"fused_ops", "num_args", "epsilon", "leakyrelu_alpha", "TArgs"}
_MATMUL = {"T", "transpose_a", "transpose_b", "grad_a", "grad_b"}
_BINARY = {
    "Add": "add",
    "AddV2": "add",
    "BiasAdd": "add",
    "Sub": "sub",
    "Mul": "mul",
    "RealDiv": "div",
    "Maximum": "max",
    "Minimum": "min",
}
_UNARY = {
    "Identity": "identity",
    "Relu": "relu",
    "Relu6": "relu6",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "Softmax": "softmax",
}
#: Supported ops and the attributes each may carry (any other attribute is refused).
SUPPORTED_OPS: dict[str, set[str]] = {
    "Const": {"dtype", "value"},
    "Placeholder": {"dtype", "shape"},
    "Conv2D": _CONV,
    "_FusedConv2D": _CONV | _FUSED,
    "DepthwiseConv2dNative": _CONV,
    "FusedDepthwiseConv2dNative": _CONV | _FUSED,
    "MatMul": _MATMUL,
    "_FusedMatMul": _MATMUL | _FUSED,
    "Pad": {"T", "Tpaddings"},
    "Mean": {"T", "Tidx", "keep_dims"},
    "Reshape": {"T", "Tshape"},
    "ConcatV2": {"T", "Tidx", "N"},
    "BiasAdd": {"T", "data_format"},
    **{op: {"T"} for op in (set(_BINARY) - {"BiasAdd"}) | set(_UNARY)},
}


@dataclass
class Step:
    """One torch-level operation.

    Attributes:
        kind: ``input``, ``const``, ``conv``, ``matmul``, ``binary``, ``unary``, ``clamp``,
            ``prelu``, ``pad``, ``mean``, ``reshape`` or ``concat`` (``TfjsGraphModule._exec_<kind>``).
        name: the value it produces (the graph node's name).
        inputs: names of the values it reads, in order.
        params: scalars and lists (strides, padding, op, axes…), TensorFlow (NHWC) semantics.
        arrays: constants it owns (``w``, ``b``, ``alpha``, ``value``), TensorFlow layout.
        bufs: role -> buffer name, once the module has registered ``arrays``.
        label: the graph node it came from (names its buffers; kept when fused steps are renamed).
    """

    kind: str
    name: str
    inputs: list[str]
    params: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)  # TF layout until registered
    bufs: dict[str, str] = field(default_factory=dict)  # role -> buffer name, after registration
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or self.name


def ref(name: str) -> str:
    """A data input's node name (``x:0`` -> ``x``); refuses other outputs than the first."""
    base, _, index = name.partition(":")
    if index not in ("", "0"):
        raise ModelError(f"input {name!r}: only the first output of a node is supported")
    return base


def _scalar_or_channel(v: np.ndarray, channels: int | None, max_rank: int) -> np.ndarray | None:
    """``v`` flat if it is a scalar or per-last-axis vector (``[]``, ``[1]``, ``[C]``, ``[1, 1, 1, C]``).

    ``max_rank``: the rank of the value it broadcasts against (a higher-rank constant would
    change the result's shape).
    """
    if v.ndim > max_rank or any(d != 1 for d in v.shape[:-1]) or v.dtype != np.float32:
        return None
    flat = v.reshape(-1)
    return flat if flat.size == 1 or channels is None or flat.size == channels else None


def lower_graph(graph: TfjsGraph, targets: list[str]) -> list[Step]:
    """The steps computing ``targets`` (node names), producers first; nothing else is converted.

    Raises:
        ModelError: an unknown node, a cycle, or an op/attribute/dtype not implemented here.
    """
    return _Builder(graph, targets).steps


class _Builder:
    """Turns the needed part of a :class:`TfjsGraph` into a list of :class:`Step`."""

    def __init__(self, graph: TfjsGraph, targets: list[str]):
        self.graph = graph
        self.steps: list[Step] = []
        for name in self._order(targets):
            self._convert(graph.nodes[name])

    def _order(self, targets: list[str]) -> list[str]:
        """Names of the nodes ``targets`` depend on, producers first."""
        order: list[str] = []
        state: dict[str, int] = {}
        for target in targets:
            stack = [(target, False)]
            while stack:
                name, done = stack.pop()
                if done:
                    state[name] = 2
                    order.append(name)
                    continue
                if state.get(name) == 2:
                    continue
                if name not in self.graph.nodes:
                    raise ModelError(f"node {name!r} is not in the graph", path=self.graph.path)
                if state.get(name) == 1:
                    raise ModelError(f"the graph has a cycle through {name!r}", path=self.graph.path)
                state[name] = 1
                stack.append((name, True))
                ins = [ref(i) for i in self.graph.nodes[name].inputs if not i.startswith("^")]
                stack += [(i, False) for i in reversed(ins) if state.get(i) != 2]
        return order

    def _const(self, node: GraphNode, index: int, what: str) -> np.ndarray:
        name = ref(node.inputs[index]) if index < len(node.inputs) else ""
        src = self.graph.nodes.get(name)
        if src is None or src.op != "Const" or name not in self.graph.weights:
            raise ModelError(f"{node.op} {node.name!r}: its {what} must be a stored constant", path=self.graph.path)
        return self.graph.weights[name]

    def _fail(self, node: GraphNode, what: str) -> ModelError:
        return ModelError(f"{node.op} {node.name!r}: unsupported {what}", path=self.graph.path)

    def _convert(self, node: GraphNode) -> None:
        op, name, ins = node.op, node.name, [ref(i) for i in node.inputs if not i.startswith("^")]
        if op not in SUPPORTED_OPS:
            raise self._fail(node, "op (not implemented by the TF.js port)")
        unknown = set(node.attr) - SUPPORTED_OPS[op]
        if unknown:
            raise self._fail(node, f"attribute(s) {sorted(unknown)}")
        placeholder_type = node_attr(node, "dtype") if op == "Placeholder" else "DT_FLOAT"
        if node_attr(node, "T", "DT_FLOAT") != "DT_FLOAT" or placeholder_type != "DT_FLOAT":
            raise self._fail(node, "dtype (only float tensors)")
        if op == "Const":
            if name not in self.graph.weights:
                raise self._fail(node, "constant without a weightsManifest entry")
            self.steps.append(Step("const", name, [], arrays={"value": self.graph.weights[name]}))
        elif op == "Placeholder":
            dims = [int(d.get("size", -1)) for d in node.attr.get("shape", {}).get("shape", {}).get("dim", [])]
            if len(dims) != 4:
                raise self._fail(node, f"input shape {dims} (only N x H x W x C)")
            self.steps.append(Step("input", name, [], {"shape": dims}))
        elif op in ("Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"):
            self._conv(node, ins)
        elif op in ("MatMul", "_FusedMatMul"):
            if node_attr(node, "transpose_a", False):
                raise self._fail(node, "transpose_a")
            kernel = self._const(node, 1, "second operand")
            w = kernel.T if node_attr(node, "transpose_b", False) else kernel
            self._fused(node, Step("matmul", name, ins[:1], arrays={"w": np.ascontiguousarray(w)}), ins)
        elif op in _BINARY:
            if op == "BiasAdd" and node_attr(node, "data_format", "NHWC") != "NHWC":
                raise self._fail(node, "data_format")
            self.steps.append(Step("binary", name, ins, {"op": _BINARY[op]}))
        elif op in _UNARY:
            self.steps.append(Step("unary", name, ins[:1], {"op": _UNARY[op]}))
        elif op == "Pad":
            pads = self._const(node, 1, "paddings").astype(np.int64)
            if pads.ndim != 2 or pads.shape[1] != 2 or (pads < 0).any():
                raise self._fail(node, f"paddings {pads.tolist()}")
            self.steps.append(Step("pad", name, ins[:1], {"pads": pads.tolist()}))
        elif op == "Mean":
            axes = self._const(node, 1, "axes").reshape(-1).astype(int).tolist()
            self.steps.append(Step("mean", name, ins[:1], {"axes": axes, "keep": node_attr(node, "keep_dims", False)}))
        elif op == "Reshape":
            shape = self._const(node, 1, "shape").reshape(-1).astype(int).tolist()
            if len(shape) > 4:
                raise self._fail(node, f"target rank {len(shape)} (at most 4)")
            self.steps.append(Step("reshape", name, ins[:1], {"shape": shape}))
        else:  # ConcatV2
            axis = int(self._const(node, len(ins) - 1, "axis").reshape(()))
            self.steps.append(Step("concat", name, ins[:-1], {"axis": axis}))

    def _conv(self, node: GraphNode, ins: list[str]) -> None:
        if node_attr(node, "data_format", "NHWC") != "NHWC":
            raise self._fail(node, f"data_format {node_attr(node, 'data_format')!r} (only NHWC)")
        strides, dil = node_attr(node, "strides", [1, 1, 1, 1]), node_attr(node, "dilations", [1, 1, 1, 1])
        for what, v in (("strides", strides), ("dilations", dil)):
            if len(v) != 4 or v[0] != 1 or v[3] != 1 or min(v) < 1:
                raise self._fail(node, f"{what} {v}")
        padding = node_attr(node, "padding")
        if padding == "EXPLICIT":
            p = node_attr(node, "explicit_paddings", [])
            if len(p) != 8 or any(p[i] != 0 for i in (0, 1, 6, 7)) or min(p) < 0:
                raise self._fail(node, f"explicit_paddings {p}")
            padding = (p[2], p[3], p[4], p[5])
        elif padding not in ("SAME", "VALID"):
            raise self._fail(node, f"padding {padding!r}")
        kernel = self._const(node, 1, "filter")
        if kernel.ndim != 4:
            raise self._fail(node, f"filter shape {kernel.shape}")
        depthwise = "Depthwise" in node.op
        params = {
            "stride": tuple(strides[1:3]),
            "dilation": tuple(dil[1:3]),
            "padding": padding,
            "depthwise": depthwise,
        }
        self._fused(node, Step("conv", node.name, ins[:1], params, {"w": kernel}), ins)

    def _fused(self, node: GraphNode, step: Step, ins: list[str]) -> None:
        """Append ``step``, then the node's ``fused_ops`` (BiasAdd, then Relu/Relu6/Prelu) if it has any."""
        ops = node_attr(node, "fused_ops", [])
        n_args = node_attr(node, "num_args", 0)
        if not ops and n_args == 0:
            self.steps.append(step)
            return
        expected_args = 1 + (len(ops) == 2 and ops[1] == "Prelu")
        if not ops or ops[0] != "BiasAdd" or len(ops) > 2 or n_args != expected_args or len(ins) != 2 + n_args:
            raise self._fail(node, f"fused ops {ops} with num_args {n_args}")
        step.arrays["b"] = self._const(node, 2, "bias").reshape(-1)
        if step.arrays["b"].size != _out_channels(step):
            raise self._fail(node, f"bias of {step.arrays['b'].size} for {_out_channels(step)} channels")
        if len(ops) == 1:
            self.steps.append(step)
            return
        act, pre = ops[1], f"{node.name}/__pre_activation"
        step.name = pre
        self.steps.append(step)
        if act in ("Relu", "Relu6"):
            self.steps.append(Step("unary", node.name, [pre], {"op": act.lower()}))
        elif act == "Prelu":
            self.steps.append(Step("prelu", node.name, [pre], arrays={"alpha": self._const(node, 3, "alpha")}))
        else:
            raise self._fail(node, f"fused activation {act!r}")


def _out_channels(step: Step) -> int:
    """Output channels of a conv (depthwise: ``in x mult``) or output features of a MatMul."""
    w = step.arrays["w"]
    if step.kind == "matmul":
        return w.shape[1]
    return w.shape[2] * w.shape[3] if step.params["depthwise"] else w.shape[3]


def fuse_steps(steps: list[Step], protected: set[str]) -> list[Step]:
    """Peephole folds (affine into conv/matmul, PReLU pattern, clamp chains); see the module docstring.

    Args:
        steps: from :func:`lower_graph`; changed in place and returned.
        protected: values that must stay observable (the targets): never folded away.
    """
    by_name = {s.name: s for s in steps}

    def users(name: str) -> list[Step]:
        return [s for s in steps if name in s.inputs]

    def sole_user(s: Step) -> Step | None:
        u = users(s.name)
        return u[0] if len(u) == 1 and s.name not in protected and u[0].inputs.count(s.name) == 1 else None

    def const_operand(s: Step, other: str) -> np.ndarray | None:
        """The constant operand of binary ``s`` whose other operand is ``other``."""
        if s.kind != "binary" or len(s.inputs) != 2 or other not in s.inputs:
            return None
        c = by_name.get(s.inputs[1] if s.inputs[0] == other else s.inputs[0])
        return c.arrays["value"] if c is not None and c.kind == "const" else None

    def drop(old: Step, keep: Step) -> None:
        """``keep`` now produces ``old``'s value: it takes ``old``'s name and place."""
        steps.remove(keep)
        steps[steps.index(old)] = keep
        keep.name = old.name
        by_name[keep.name] = keep

    for s in [s for s in steps if s.kind in ("conv", "matmul")]:
        while (u := sole_user(s)) is not None and u.params.get("op") in ("add", "mul", "sub"):
            v = const_operand(u, s.name)
            v = None if v is None else _scalar_or_channel(v, _out_channels(s), 2 if s.kind == "matmul" else 4)
            if v is None or (u.params["op"] == "sub" and u.inputs[0] != s.name):
                break
            n = _out_channels(s)
            w, b = s.arrays["w"], s.arrays.get("b", np.zeros(n, np.float32))
            if u.params["op"] == "mul":
                flat = w.reshape(*w.shape[:2], n) if s.params.get("depthwise") else w
                s.arrays["w"] = (flat * v).reshape(w.shape).astype(np.float32)
                s.arrays["b"] = (b * v).astype(np.float32)
            else:
                s.arrays["b"] = (b + (v if u.params["op"] == "add" else -v)).astype(np.float32)
            drop(u, s)

    def zero_side(s: Step, op: str) -> str | None:
        """The non-constant operand of ``op``(x, 0) step ``s``."""
        if s.kind != "binary" or s.params["op"] != op or len(s.inputs) != 2:
            return None
        for x in s.inputs:
            v = const_operand(s, x)
            if v is not None and v.shape in ((), (1,)) and float(v.reshape(())) == 0.0:
                return x
        return None

    for add in [s for s in steps if s.kind == "binary" and s.params["op"] == "add" and len(s.inputs) == 2]:
        p, q = (by_name.get(i) for i in add.inputs)
        if p is None or q is None:
            continue
        if q.kind == "binary" and q.params["op"] == "max":
            p, q = q, p
        x = zero_side(p, "max")
        m_name = next((i for i in q.inputs if by_name.get(i) and zero_side(by_name[i], "min") == x), None)
        if x is None or q.kind != "binary" or q.params["op"] != "mul" or m_name is None:
            continue
        alpha = const_operand(q, m_name)
        alpha = None if alpha is None else _scalar_or_channel(alpha, None, 1)
        m = by_name[m_name]
        if alpha is None or any(sole_user(t) is not u for t, u in ((p, add), (q, add), (m, q))):
            continue
        prelu = Step("prelu", add.name, [x], arrays={"alpha": alpha})
        for t in (p, q, m):
            steps.remove(t)
        steps[steps.index(add)] = prelu
        by_name[add.name] = prelu

    for s in list(steps):
        lo = hi = None
        if s.kind == "unary" and s.params["op"] in ("relu", "relu6"):
            lo, hi = 0.0, (6.0 if s.params["op"] == "relu6" else None)
        elif s.kind == "binary" and s.params["op"] in ("max", "min") and len(s.inputs) == 2:
            for x in s.inputs:
                v = const_operand(s, x)
                if v is not None and v.shape in ((), (1,)) and v.dtype == np.float32:
                    lo, hi = (float(v.reshape(())), None) if s.params["op"] == "max" else (None, float(v.reshape(())))
                    s.inputs = [x]
                    break
            else:
                continue
        else:
            continue
        s.kind, s.params = "clamp", {"lo": lo, "hi": hi}
    for s in [s for s in steps if s.kind == "clamp"]:
        while (u := sole_user(s)) is not None and u.kind == "clamp":
            lo1, hi1 = s.params["lo"], s.params["hi"]
            lo2, hi2 = u.params["lo"], u.params["hi"]
            lo = lo1 if lo2 is None else (lo2 if lo1 is None else max(lo1, lo2))
            hi1 = hi1 if lo2 is None or hi1 is None else max(hi1, lo2)
            hi = hi1 if hi2 is None else (hi2 if hi1 is None else min(hi1, hi2))
            s.params = {"lo": lo, "hi": hi}
            drop(u, s)
    return steps
