# mypy: disable-error-code="operator, list-item, assignment"
# (torch types an nn.Module attribute as "Tensor | Module"; this module reads its layers that way)
"""Native PyTorch port of InsightFace ArcFace w600k_mbf (MobileFaceNet, WebFace600K).

The ONNX graph (``arcface_w600k_mbf.onnx``) has its BatchNorms folded into the convolution
biases, so every conv here has a bias and no BatchNorm follows it. Layout, 112 x 112 input:

=========  ===========================================================  ========
stage      layers                                                       output
=========  ===========================================================  ========
stem       conv 3x3/2 3->128 + PReLU, grouped conv 3x3 (64 groups)      128x56²
           + PReLU
down1      DepthWise 128->128 (expand 128, stride 2), 4 residual        128x28²
down2      DepthWise 128->256 (expand 256, stride 2), 6 residual        256x14²
down3      DepthWise 256->256 (expand 512, stride 2), 2 residual        256x7²
head       conv 1x1 256->512 + PReLU, conv 1x1 512->64 + PReLU,         512
           flatten (3136), fc 3136->512, BatchNorm1d ("features")
=========  ===========================================================  ========

A DepthWise block is conv 1x1 (expand) + PReLU, depthwise conv 3x3 + PReLU, conv 1x1
(project, no activation); the residual ones add their input. The output is the raw
(un-normalised) embedding, exactly the ONNX output ``516``.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor, nn

from photoguard.models.onnx_weights import load_layers


class ConvAct(nn.Module):
    """Conv2d (with folded-BN bias) followed by an optional per-channel PReLU."""

    def __init__(self, c_in: int, c_out: int, kernel: int = 1, stride: int = 1, groups: int = 1, act: bool = True):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=True)
        self.act = nn.PReLU(c_out) if act else None

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(x)
        return self.act(x) if self.act is not None else x

    def weighted(self) -> list[nn.Module]:
        """This block's weighted layers in graph order."""
        return [self.conv] + ([self.act] if self.act is not None else [])


class DepthWise(nn.Module):
    """Inverted bottleneck: expand 1x1 + PReLU, depthwise 3x3 + PReLU, project 1x1 (linear)."""

    def __init__(self, c_in: int, c_out: int, hidden: int, stride: int = 1, residual: bool = False):
        super().__init__()
        if residual and (stride != 1 or c_in != c_out):
            raise ValueError("a residual DepthWise block needs stride 1 and c_in == c_out")
        self.expand = ConvAct(c_in, hidden, 1)
        self.dw = ConvAct(hidden, hidden, 3, stride, groups=hidden)
        self.project = ConvAct(hidden, c_out, 1, act=False)
        self.residual = residual

    def forward(self, x: Tensor) -> Tensor:
        y = self.project(self.dw(self.expand(x)))
        return x + y if self.residual else y

    def weighted(self) -> list[nn.Module]:
        return self.expand.weighted() + self.dw.weighted() + self.project.weighted()


def _stage(c_in: int, c_out: int, hidden: int, n_residual: int) -> nn.Sequential:
    blocks = [DepthWise(c_in, c_out, hidden, stride=2)]
    blocks += [DepthWise(c_out, c_out, c_out, residual=True) for _ in range(n_residual)]
    return nn.Sequential(*blocks)


class ArcFaceMBF(nn.Module):
    """ArcFace w600k_mbf backbone + head.

    Shape:
        input: ``N x 3 x 112 x 112`` RGB, normalised ``(x - 127.5) / 127.5`` (x in 0..255).
        output: ``N x 512`` raw embedding (not L2-normalised).
    """

    input_size = 112
    embedding_dim = 512

    def __init__(self) -> None:
        super().__init__()
        self.stem = ConvAct(3, 128, 3, stride=2)
        self.stem_dw = ConvAct(128, 128, 3, groups=64)
        self.down1 = _stage(128, 128, 128, 4)
        self.down2 = _stage(128, 256, 256, 6)
        self.down3 = _stage(256, 256, 512, 2)
        self.conv_sep = ConvAct(256, 512, 1)
        self.conv_reduce = ConvAct(512, 64, 1)
        self.fc = nn.Linear(64 * 7 * 7, 512)
        self.features = nn.BatchNorm1d(512, eps=1e-5)

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_features(x)[0]

    def forward_features(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``(N x 512 raw embedding, N x 256 x 14 x 14 output of down2)`` of one pass."""
        middle = self.down2(self.down1(self.stem_dw(self.stem(x))))
        x = self.conv_reduce(self.conv_sep(self.down3(middle)))
        return self.features(self.fc(torch.flatten(x, 1))), middle

    def weighted(self) -> list[nn.Module]:
        """Weighted layers in ONNX graph execution order (used to map initialisers)."""
        layers = self.stem.weighted() + self.stem_dw.weighted()
        for stage in (self.down1, self.down2, self.down3):
            for block in stage:
                layers += block.weighted()
        return layers + self.conv_sep.weighted() + self.conv_reduce.weighted() + [self.fc, self.features]


def arcface_from_onnx(path: str | Path) -> ArcFaceMBF:
    """Build :class:`ArcFaceMBF` with the weights of ``arcface_w600k_mbf.onnx``, in eval mode.

    Raises:
        ModelError: the graph does not match the architecture (count, type or shape).
    """
    net = ArcFaceMBF()
    load_layers(net.weighted(), path)
    return net.eval()
