# mypy: disable-error-code="operator, list-item, assignment"
# (torch types an nn.Module attribute as "Tensor | Module"; this module reads its layers that way)
"""Native PyTorch port of OpenCV SFace (``face_recognition_sface_2021dec``).

Inspecting the ONNX graph gives a MobileNet-v1-style body with **no residual connections**
(the graph has no ``Add`` node): a 3x3 conv, then 13 depthwise-separable pairs (depthwise
3x3 + pointwise 1x1), each conv followed by BatchNorm (eps 1e-3) and PReLU. Layout, 112 x 112:

======  =====================================  =========
layer   conv                                   output
======  =====================================  =========
1       3x3, 3->32                             32x112²
2       dw 3x3 + pw 32->64                     64x112²
3       dw 3x3/2 + pw 64->128                  128x56²
4       dw 3x3 + pw 128->128                   128x56²
5       dw 3x3/2 + pw 128->256                 256x28²
6       dw 3x3 + pw 256->256                   256x28²
7       dw 3x3/2 + pw 256->512                 512x14²
8-12    dw 3x3 + pw 512->512 (x5)              512x14²
13      dw 3x3/2 + pw 512->1024                1024x7²
14      dw 3x3 + pw 1024->1024                 1024x7²
head    BatchNorm2d (eps 2e-5), Dropout (no-op at inference), flatten (50176),
        fc 50176->128, BatchNorm1d (eps 2e-5)
======  =====================================  =========

The graph normalises its own input: ``(x - 127.5) * 0.0078125`` with x in 0..255; the two
constants are read from the graph. The output is the raw 128-d embedding (ONNX ``fc1``).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor, nn

from photoguard.models.onnx_weights import graph_constant, load_layers

#: (output channels, stride of the depthwise conv) for layers 2..14.
_SEPARABLE = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]


class ConvBnAct(nn.Module):
    """Conv2d (no bias) + BatchNorm2d (eps 1e-3) + per-channel PReLU."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int = 1, groups: int = 1):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(c_out, eps=1e-3)
        self.act = nn.PReLU(c_out)

    def forward(self, x: Tensor) -> Tensor:
        return self.act(self.bn(self.conv(x)))


class SFaceNet(nn.Module):
    """SFace backbone + head, including the graph's own input normalisation.

    Shape:
        input: ``N x 3 x 112 x 112`` RGB in 0..255 (float).
        output: ``N x 128`` raw embedding (not L2-normalised).
    """

    input_size = 112
    embedding_dim = 128

    def __init__(self, offset: float = 127.5, scale: float = 0.0078125) -> None:
        super().__init__()
        self.register_buffer("offset", torch.tensor(offset, dtype=torch.float32))
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))
        layers = [ConvBnAct(3, 32, 3)]
        c_in = 32
        for c_out, stride in _SEPARABLE:
            layers += [ConvBnAct(c_in, c_in, 3, stride, groups=c_in), ConvBnAct(c_in, c_out, 1)]
            c_in = c_out
        self.body = nn.Sequential(*layers)
        self.bn1 = nn.BatchNorm2d(1024, eps=2e-5)
        self.fc = nn.Linear(1024 * 7 * 7, 128)
        self.features = nn.BatchNorm1d(128, eps=2e-5)

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_features(x)[0]

    def forward_features(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``(N x 128 raw embedding, N x 512 x 14 x 14 output of the middle body layer)``."""
        half = len(self.body) // 2
        middle = self.body[: half + 1]((x - self.offset) * self.scale)
        x = self.bn1(self.body[half + 1 :](middle))
        return self.features(self.fc(torch.flatten(x, 1))), middle

    def weighted(self) -> list[nn.Module]:
        """Weighted layers in ONNX graph execution order (used to map initialisers)."""
        layers: list[nn.Module] = []
        for block in self.body:
            layers += [block.conv, block.bn, block.act]
        return layers + [self.bn1, self.fc, self.features]


def sface_from_onnx(path: str | Path) -> SFaceNet:
    """Build :class:`SFaceNet` with the weights of ``sface_2021dec_fp32.onnx``, in eval mode.

    Raises:
        ModelError: the graph does not match the architecture (count, type or shape).
    """
    net = SFaceNet(offset=graph_constant(path, "scalar_op1"), scale=graph_constant(path, "scalar_op2"))
    load_layers(net.weighted(), path)
    return net.eval()
