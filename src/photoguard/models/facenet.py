"""FaceNet Inception-ResNet-v1 (davidsandberg 20180408-102900, CASIA-WebFace), in PyTorch.

The module and parameter names follow the common PyTorch port of this network, so the
``facenet_casia_irv1_fp16.pt`` state_dict loads with ``strict=True``. Layout, 160 x 160 input:
stem (``conv2d_1a`` … ``conv2d_4b``) -> 5 x Block35 (scale 0.17) -> Mixed_6a ->
10 x Block17 (scale 0.10) -> Mixed_7a -> 5 x Block8 (scale 0.20) -> Block8 (scale 1, no
ReLU) -> global average pool -> dropout (no-op in eval) -> linear 1792->512 (no bias) ->
BatchNorm1d -> L2 normalisation.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class BasicConv2d(nn.Module):
    """Conv2d (no bias) + BatchNorm2d (eps 1e-3) + ReLU."""

    def __init__(
        self,
        c_in: int,
        c_out: int,
        kernel: int | tuple[int, int],
        stride: int = 1,
        padding: int | tuple[int, int] = 0,
    ):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel, stride, padding, bias=False)
        self.bn = nn.BatchNorm2d(c_out, eps=0.001, momentum=0.1)
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.relu(self.bn(self.conv(x)))


class Block35(nn.Module):
    """Inception-ResNet-A on 256 x 35² (here 17² for 160 input); residual scaled by ``scale``."""

    def __init__(self, scale: float = 1.0):
        super().__init__()
        self.scale = scale
        self.branch0 = BasicConv2d(256, 32, 1)
        self.branch1 = nn.Sequential(BasicConv2d(256, 32, 1), BasicConv2d(32, 32, 3, padding=1))
        self.branch2 = nn.Sequential(
            BasicConv2d(256, 32, 1), BasicConv2d(32, 32, 3, padding=1), BasicConv2d(32, 32, 3, padding=1)
        )
        self.conv2d = nn.Conv2d(96, 256, 1)
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        out = torch.cat((self.branch0(x), self.branch1(x), self.branch2(x)), 1)
        return self.relu(x + self.scale * self.conv2d(out))


class Block17(nn.Module):
    """Inception-ResNet-B on 896 channels, 1x7 / 7x1 factorised branch."""

    def __init__(self, scale: float = 1.0):
        super().__init__()
        self.scale = scale
        self.branch0 = BasicConv2d(896, 128, 1)
        self.branch1 = nn.Sequential(
            BasicConv2d(896, 128, 1),
            BasicConv2d(128, 128, (1, 7), padding=(0, 3)),
            BasicConv2d(128, 128, (7, 1), padding=(3, 0)),
        )
        self.conv2d = nn.Conv2d(256, 896, 1)
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        out = torch.cat((self.branch0(x), self.branch1(x)), 1)
        return self.relu(x + self.scale * self.conv2d(out))


class Block8(nn.Module):
    """Inception-ResNet-C on 1792 channels, 1x3 / 3x1 branch; ``no_relu`` for the last one."""

    def __init__(self, scale: float = 1.0, no_relu: bool = False):
        super().__init__()
        self.scale = scale
        self.no_relu = no_relu
        self.branch0 = BasicConv2d(1792, 192, 1)
        self.branch1 = nn.Sequential(
            BasicConv2d(1792, 192, 1),
            BasicConv2d(192, 192, (1, 3), padding=(0, 1)),
            BasicConv2d(192, 192, (3, 1), padding=(1, 0)),
        )
        self.conv2d = nn.Conv2d(384, 1792, 1)
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        out = x + self.scale * self.conv2d(torch.cat((self.branch0(x), self.branch1(x)), 1))
        return out if self.no_relu else self.relu(out)


class Mixed6a(nn.Module):
    """Reduction-A: 256 -> 896 channels, stride 2."""

    def __init__(self) -> None:
        super().__init__()
        self.branch0 = BasicConv2d(256, 384, 3, stride=2)
        self.branch1 = nn.Sequential(
            BasicConv2d(256, 192, 1), BasicConv2d(192, 192, 3, padding=1), BasicConv2d(192, 256, 3, stride=2)
        )
        self.branch2 = nn.MaxPool2d(3, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat((self.branch0(x), self.branch1(x), self.branch2(x)), 1)


class Mixed7a(nn.Module):
    """Reduction-B: 896 -> 1792 channels, stride 2."""

    def __init__(self) -> None:
        super().__init__()
        self.branch0 = nn.Sequential(BasicConv2d(896, 256, 1), BasicConv2d(256, 384, 3, stride=2))
        self.branch1 = nn.Sequential(BasicConv2d(896, 256, 1), BasicConv2d(256, 256, 3, stride=2))
        self.branch2 = nn.Sequential(
            BasicConv2d(896, 256, 1), BasicConv2d(256, 256, 3, padding=1), BasicConv2d(256, 256, 3, stride=2)
        )
        self.branch3 = nn.MaxPool2d(3, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat((self.branch0(x), self.branch1(x), self.branch2(x), self.branch3(x)), 1)


class InceptionResnetV1(nn.Module):
    """Inception-ResNet-v1 face embedder.

    Shape:
        input: ``N x 3 x 160 x 160`` RGB, normalised ``(x - 127.5) / 128`` (x in 0..255).
        output: ``N x 512``, L2-normalised.
    """

    input_size = 160
    embedding_dim = 512

    def __init__(self) -> None:
        super().__init__()
        self.conv2d_1a = BasicConv2d(3, 32, 3, stride=2)
        self.conv2d_2a = BasicConv2d(32, 32, 3)
        self.conv2d_2b = BasicConv2d(32, 64, 3, padding=1)
        self.maxpool_3a = nn.MaxPool2d(3, stride=2)
        self.conv2d_3b = BasicConv2d(64, 80, 1)
        self.conv2d_4a = BasicConv2d(80, 192, 3)
        self.conv2d_4b = BasicConv2d(192, 256, 3, stride=2)
        self.repeat_1 = nn.Sequential(*[Block35(scale=0.17) for _ in range(5)])
        self.mixed_6a = Mixed6a()
        self.repeat_2 = nn.Sequential(*[Block17(scale=0.10) for _ in range(10)])
        self.mixed_7a = Mixed7a()
        self.repeat_3 = nn.Sequential(*[Block8(scale=0.20) for _ in range(5)])
        self.block8 = Block8(no_relu=True)
        self.avgpool_1a = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.6)
        self.last_linear = nn.Linear(1792, 512, bias=False)
        self.last_bn = nn.BatchNorm1d(512, eps=0.001, momentum=0.1)

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_features(x)[0]

    def forward_features(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``(N x 512 unit-norm embedding, N x 256 x 17 x 17 output of repeat_1)`` of one pass."""
        x = self.conv2d_2b(self.conv2d_2a(self.conv2d_1a(x)))
        x = self.conv2d_4b(self.conv2d_4a(self.conv2d_3b(self.maxpool_3a(x))))
        middle = self.repeat_1(x)
        x = self.block8(self.repeat_3(self.mixed_7a(self.repeat_2(self.mixed_6a(middle)))))
        x = self.dropout(torch.flatten(self.avgpool_1a(x), 1))
        return F.normalize(self.last_bn(self.last_linear(x)), p=2, dim=1), middle


def facenet_from_state_dict(path: str | Path) -> InceptionResnetV1:
    """Build :class:`InceptionResnetV1` from the fp16 state_dict at ``path``, cast to fp32, eval mode.

    Loading is strict: a missing or unexpected key, or a wrong shape, raises ``RuntimeError``.
    """
    state = torch.load(str(path), map_location="cpu", weights_only=True)
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    net = InceptionResnetV1()
    net.load_state_dict(state, strict=True)
    return net.eval()
