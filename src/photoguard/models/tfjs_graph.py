# mypy: disable-error-code="operator, list-item, assignment"
# (torch types an nn.Module attribute as "Tensor | Module"; this module reads its layers that way)
"""Run TensorFlow.js *graph models* (``model.json`` + ``*.bin``) as native, differentiable PyTorch modules.

:class:`TfjsGraphModule` runs the part of a graph from its Placeholder to a named output node
(and, optionally, one mid-level node) with torch ops; :func:`load_tfjs_graph` builds one from
the JSON path. Reading and decoding the files is :mod:`photoguard.models.tfjs_weights`
(float32, int32, float16-stored and uint8/uint16 affine-quantised weights); checking and
lowering the graph, and fusing common patterns, is :mod:`photoguard.models.tfjs_steps`.

Layout: TensorFlow tensors are NHWC; here every 4-D value is held NCHW (kernels are converted
once, at load time: Conv2D ``kh x kw x in x out`` -> ``out x in x kh x kw``, depthwise
``kh x kw x in x mult`` -> ``(in * mult) x 1 x kh x kw``), and what names axes is mapped from
NHWC semantics: Pad, Mean, ConcatV2, Softmax, the broadcasting of lower-rank operands (a
``[C]`` constant broadcasts along channels), and Reshape, which flattens 4-D values in NHWC
order, as TensorFlow does. ``SAME`` padding puts the odd pixel at the end (bottom/right), as
TensorFlow does, with an explicit ``F.pad``; symmetric padding is passed to the convolution.

Supported ops (see :data:`~photoguard.models.tfjs_steps.SUPPORTED_OPS`): Const, Placeholder,
Identity, Conv2D, _FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2dNative, MatMul,
_FusedMatMul (fused BiasAdd, then optionally Relu, Relu6 or Prelu), BiasAdd, Add, AddV2, Sub,
Mul, RealDiv, Maximum, Minimum, Relu, Relu6, Sigmoid, Tanh, Softmax, Pad, Mean, Reshape,
ConcatV2. Anything else on the needed path raises :class:`ModelError` at build time.

Example:
    >>> net = load_tfjs_graph("models/human/mobileface.json", "batchnorm0/add_1", "add_8")
    >>> emb, feat = net.forward_features(torch.rand(1, 3, 112, 112) * 255)  # 1 x 256, 1 x 32 x 14 x 14
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from photoguard.errors import ModelError
from photoguard.models.tfjs_steps import Step, fuse_steps, lower_graph, ref
from photoguard.models.tfjs_weights import TfjsGraph, read_tfjs_graph

__all__ = ["TfjsGraph", "TfjsGraphModule", "load_tfjs_encoder", "load_tfjs_graph", "read_tfjs_graph"]

_NCHW_AXIS = (0, 2, 3, 1)  # NHWC axis -> NCHW axis
_BINARY_FN: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
    "max": torch.maximum,
    "min": torch.minimum,
}
_UNARY_FN: dict[str, Callable[[Tensor], Tensor]] = {
    "identity": lambda t: t,
    "relu": torch.relu,
    "relu6": lambda t: F.hardtanh(t, 0.0, 6.0),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
}


def _torch_array(step: Step, role: str, v: np.ndarray) -> Tensor:
    """A step's array in the layout its torch op wants (kernels OIHW, 4-D values NCHW)."""
    if step.kind == "conv" and role == "w":
        kh, kw, c_in, c_out = v.shape
        if step.params["depthwise"]:  # kh x kw x in x mult -> (in * mult) x 1 x kh x kw, channel i * mult + m
            v = v.reshape(kh, kw, 1, c_in * c_out)
        v = v.transpose(3, 2, 0, 1)
    elif step.kind == "matmul" and role == "w":
        v = v.T  # F.linear: out x in
    elif v.ndim == 4:
        v = v.transpose(0, 3, 1, 2)
    return torch.from_numpy(np.ascontiguousarray(v))


def _nhwc_broadcast(t: Tensor) -> Tensor:
    """A rank < 4 tensor as it broadcasts against an NHWC 4-D tensor, laid out NCHW."""
    return t.reshape([1] * (4 - t.dim()) + list(t.shape)).permute(0, 3, 1, 2)


def _same_pad(size: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow ``SAME`` padding (before, after) of one spatial axis: the odd pixel goes after."""
    total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


class TfjsGraphModule(nn.Module):
    """The part of a TF.js graph from its Placeholder to ``output`` (and ``feature``), in torch.

    Every constant is a buffer (``.to(device)`` moves it; there are no parameters, so nothing
    can be trained). The module keeps no state between calls.

    Args:
        graph: from :func:`read_tfjs_graph`.
        output: the node :meth:`forward` returns (``name`` or ``name:0``).
        feature: a mid-level node :meth:`forward_features` returns as well; ``None``: none.
        fuse: fold affine ops, PReLU and clamp patterns (see the module docstring).

    Raises:
        ModelError: an unknown node, or an op, attribute or dtype the port does not implement
            on the path to ``output``/``feature``; more than one Placeholder on that path.
    """

    def __init__(self, graph: TfjsGraph, output: str, feature: str | None = None, *, fuse: bool = True):
        super().__init__()
        self.output, self.feature = ref(output), None if feature is None else ref(feature)
        targets = [self.output] + ([self.feature] if self.feature is not None else [])
        steps = lower_graph(graph, targets)
        if fuse:
            steps = fuse_steps(steps, set(targets))
        inputs = [s for s in steps if s.kind == "input"]
        if len(inputs) != 1:
            raise ModelError(f"{len(inputs)} Placeholders on the path to {targets}, need exactly 1", path=graph.path)
        self.input_shape: tuple[int, int, int] = tuple(inputs[0].params["shape"][1:])  # H, W, C (-1: any)
        used = {i for s in steps for i in s.inputs}
        steps = [s for s in steps if s.kind != "const" or s.name in used]
        taken: set[str] = set()
        for s in steps:
            for role, v in s.arrays.items():
                base = re.sub(r"\W", "_", s.label) + ("" if role == "value" else "__" + role)
                name, k = base, 1
                while name in taken:
                    name, k = f"{base}_{k}", k + 1
                taken.add(name)
                self.register_buffer(name, _torch_array(s, role, v))
                s.bufs[role] = name
            s.arrays = {}
        self._steps = steps
        self._plans = {key: self._plan(list(key)) for key in {(self.output,), tuple(targets)}}
        self.requires_grad_(False)
        self.eval()

    def _plan(self, targets: list[str]) -> list[tuple[Step, list[str]]]:
        """The steps ``targets`` need, in order, each with the values that can be freed after it."""
        by_name = {s.name: s for s in self._steps}
        need, todo = set(), list(targets)
        while todo:
            name = todo.pop()
            if name not in need:
                need.add(name)
                todo += by_name[name].inputs
        steps = [s for s in self._steps if s.name in need]
        last = {i: k for k, s in enumerate(steps) for i in s.inputs}
        return [
            (s, [i for i in dict.fromkeys(s.inputs) if last[i] == k and i not in targets]) for k, s in enumerate(steps)
        ]

    def _run(self, x: Tensor, targets: tuple[str, ...]) -> list[Tensor]:
        h, w, c = self.input_shape
        if x.dim() != 4 or any(want > 0 and got != want for want, got in zip((c, h, w), x.shape[1:], strict=True)):
            raise ValueError(f"expected N x {c} x {h} x {w} (NCHW; -1: any), got {tuple(x.shape)}")
        env: dict[str, Tensor] = {}
        for step, free in self._plans[targets]:
            env[step.name] = x if step.kind == "input" else getattr(self, f"_exec_{step.kind}")(step, env)
            for name in free:
                del env[name]
        return [env[t] for t in targets]

    def forward(self, x: Tensor) -> Tensor:
        """Run the graph up to ``output``.

        Args:
            x: ``N x C x H x W`` float (NCHW), in the graph's own channel order and value range
                (what its NHWC Placeholder would get, transposed).

        Returns:
            The ``output`` node's value (4-D values NCHW, others as TensorFlow has them).

        Raises:
            ValueError: ``x`` does not fit the Placeholder's shape.
        """
        return self._run(x, (self.output,))[0]

    def forward_features(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``(output, feature)`` of one pass, ``x`` as for :meth:`forward`; a 4-D ``feature`` is NCHW.

        Raises:
            ValueError: the module was built without a feature node, or ``x`` has the wrong shape.
        """
        if self.feature is None:
            raise ValueError("this TF.js graph module was built without a feature node")
        out, feat = self._run(x, (self.output, self.feature))
        return out, feat

    def _buf(self, step: Step, role: str) -> Tensor | None:
        """The step's optional constant ``role`` (a bias), or None."""
        return self._buffers[step.bufs[role]] if role in step.bufs else None

    def _need(self, step: Step, role: str) -> Tensor:
        """The step's constant ``role`` (weights, a PReLU slope); its absence is a broken graph."""
        value = self._buf(step, role)
        if value is None:
            raise ModelError(f"{step.name}: the graph gives no {role!r} constant")
        return value

    def _exec_const(self, step: Step, env: dict[str, Tensor]) -> Tensor:
        return self._need(step, "value")

    def _exec_conv(self, step: Step, env: dict[str, Tensor]) -> Tensor:
        x, w, p = env[step.inputs[0]], self._need(step, "w"), step.params
        if x.dim() != 4:
            raise ValueError(f"{step.name}: convolution of a rank-{x.dim()} tensor")
        (sh, sw), (dh, dw) = p["stride"], p["dilation"]
        if p["padding"] == "SAME":
            pads = _same_pad(x.shape[2], w.shape[2], sh, dh) + _same_pad(x.shape[3], w.shape[3], sw, dw)
        else:
            pads = (0, 0, 0, 0) if p["padding"] == "VALID" else p["padding"]
        if pads[0] == pads[1] and pads[2] == pads[3]:
            padding = (pads[0], pads[2])
        else:
            x, padding = F.pad(x, (pads[2], pads[3], pads[0], pads[1])), (0, 0)
        groups = x.shape[1] if p["depthwise"] else x.shape[1] // w.shape[1]
        return F.conv2d(x, w, self._buf(step, "b"), (sh, sw), padding, (dh, dw), groups)

    def _exec_matmul(self, step: Step, env: dict[str, Tensor]) -> Tensor:
        a = env[step.inputs[0]]
        if a.dim() != 2:
            raise ValueError(f"{step.name}: MatMul of a rank-{a.dim()} tensor")
        return F.linear(a, self._need(step, "w"), self._buf(step, "b"))

    def _exec_binary(self, step: Step, env: dict[str, Tensor]) -> Tensor:
        a, b = (env[i] for i in step.inputs)
        if a.dim() == 4 and b.dim() < 4:
            b = _nhwc_broadcast(b)
        elif b.dim() == 4 and a.dim() < 4:
            a = _nhwc_broadcast(a)
        return _BINARY_FN[step.params["op"]](a, b)

    def _exec_unary(self, step: Step, env: dict[str, Tensor]) -> Tensor:
        x, op = env[step.inputs[0]], step.params["op"]
        if op == "softmax":
            return torch.softmax(x, dim=1 if x.dim() == 4 else -1)
        return _UNARY_FN[op](x)

    def _exec_clamp(self, step: Step, env: dict[str, Tensor]) -> Tensor:
        return torch.clamp(env[step.inputs[0]], step.params["lo"], step.params["hi"])

    def _exec_prelu(self, step: Step, env: dict[str, Tensor]) -> Tensor:
        x, alpha = env[step.inputs[0]], self._need(step, "alpha").reshape(-1)
        if x.dim() in (2, 4) or alpha.numel() == 1:
            return F.prelu(x, alpha)
        return torch.clamp(x, min=0) + alpha * torch.clamp(x, max=0)

    def _exec_pad(self, step: Step, env: dict[str, Tensor]) -> Tensor:
        x, pads = env[step.inputs[0]], step.params["pads"]
        if len(pads) != x.dim():
            raise ValueError(f"{step.name}: {len(pads)} paddings for a rank-{x.dim()} tensor")
        if x.dim() == 4:
            pads = [pads[a] for a in (0, 3, 1, 2)]  # NHWC pairs -> NCHW order
        return F.pad(x, [v for pair in reversed(pads) for v in pair])

    def _exec_mean(self, step: Step, env: dict[str, Tensor]) -> Tensor:
        x, keep = env[step.inputs[0]], step.params["keep"]
        axes = sorted({a % x.dim() for a in step.params["axes"]})
        if not axes:
            return x
        if x.dim() != 4:
            return x.mean(dim=axes, keepdim=keep)
        out = x.mean(dim=[_NCHW_AXIS[a] for a in axes], keepdim=keep)
        if keep:
            return out
        rest = [_NCHW_AXIS[a] for a in range(4) if a not in axes]  # NCHW positions, wanted in NHWC order
        return out.permute([sorted(rest).index(r) for r in rest])

    def _exec_reshape(self, step: Step, env: dict[str, Tensor]) -> Tensor:
        x, shape = env[step.inputs[0]], step.params["shape"]
        if x.dim() == 4:
            x = x.permute(0, 2, 3, 1)  # flatten in NHWC order, as TensorFlow does
        out = x.reshape(shape)
        return out.permute(0, 3, 1, 2) if out.dim() == 4 else out

    def _exec_concat(self, step: Step, env: dict[str, Tensor]) -> Tensor:
        parts = [env[i] for i in step.inputs]
        axis = step.params["axis"] % parts[0].dim()
        return torch.cat(parts, dim=_NCHW_AXIS[axis] if parts[0].dim() == 4 else axis)


def load_tfjs_graph(path: str | Path, output: str, feature: str | None = None, *, fuse: bool = True) -> TfjsGraphModule:
    """:class:`TfjsGraphModule` of the graph model at ``path`` (``model.json``), frozen, in eval mode.

    Raises:
        ModelError: see :func:`read_tfjs_graph` and :class:`TfjsGraphModule`.
    """
    return TfjsGraphModule(read_tfjs_graph(path), output, feature, fuse=fuse)


def load_tfjs_encoder(
    path: str | Path,
    output: str,
    feature: str,
    *,
    input_size: int,
    embedding_dim: int,
    feature_shape: tuple[int, int, int],
) -> TfjsGraphModule:
    """:func:`load_tfjs_graph` for a face encoder, checked on a probe input, frozen, in eval mode.

    The module gets ``input_size``, ``embedding_dim`` and ``feature_shape`` attributes.

    Raises:
        ModelError: the graph cannot be built, or a ``1 x 3 x S x S`` probe does not give a
            ``1 x embedding_dim`` output and a ``1 x C x h x w`` = ``feature_shape`` feature map.
    """
    net = load_tfjs_graph(path, output, feature)
    try:
        with torch.no_grad():
            emb, feat = net.forward_features(torch.zeros(1, 3, input_size, input_size))
    except (ValueError, RuntimeError) as exc:
        raise ModelError(f"the graph fails on a 1 x 3 x {input_size} x {input_size} probe: {exc}", path=path) from None
    if tuple(emb.shape) != (1, embedding_dim) or tuple(feat.shape) != (1, *feature_shape):
        raise ModelError(
            f"{output!r} is {tuple(emb.shape)} and {feature!r} {tuple(feat.shape)} for a "
            f"{input_size} px probe, expected (1, {embedding_dim}) and (1, {', '.join(map(str, feature_shape))})",
            path=path,
        )
    net.input_size, net.embedding_dim, net.feature_shape = input_size, embedding_dim, feature_shape
    return net
