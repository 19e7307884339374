# mypy: disable-error-code="operator, list-item, assignment"
# (torch types an nn.Module attribute as "Tensor | Module"; this module reads its layers that way)
"""Native PyTorch port of the Faceplugin face feature extractor (``faceplugin_fr_feature.onnx``).

The ONNX graph (exported from PyTorch 1.10, opset 9) is a classic MobileFaceNet: only Conv
(BatchNorms folded into the convolution biases), PRelu, Add (residuals) and a final Reshape.
Unlike ArcFace w600k_mbf there is no fc/BatchNorm1d head: the embedding is a global 7x7
depthwise conv followed by a 1x1 "linear" conv (the fc with its BatchNorm folded in). Layout,
112 x 112 input:

=========  ===========================================================  ========
stage      layers                                                       output
=========  ===========================================================  ========
stem       conv 3x3/2 3->64 + PReLU, depthwise conv 3x3 (64 groups)     64x56²
           + PReLU
down1      DepthWise 64->64 (expand 128, stride 2), 4 residual          64x28²
           (expand 128)
down2      DepthWise 64->128 (expand 256, stride 2), 6 residual         128x14²
           (expand 256)
down3      DepthWise 128->128 (expand 512, stride 2), 2 residual        128x7²
           (expand 256)
head       conv 1x1 128->512 + PReLU, global depthwise conv 7x7         512
           (512 groups, no padding, no activation) -> 512x1²,
           conv 1x1 512->512 (no activation), flatten
=========  ===========================================================  ========

A DepthWise block (:class:`~photoguard.models.arcface.DepthWise`) is conv 1x1 (expand) +
PReLU, depthwise conv 3x3 + PReLU, conv 1x1 (project, no activation); the residual ones add
their input. Note that, unlike ArcFace, the residual blocks' expansion width is not their
channel count (it is twice it), and down3's stride-2 block expands wider (512) than its
residual blocks (256). PReLU is absent after every projection, the 7x7 global conv and the
final 1x1 conv. The output is the raw (un-normalised) embedding, exactly the ONNX output
``output``; the graph's Reshape is to ``[1, -1]`` (batch 1 only), here ``flatten(1)`` so any
batch size works.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor, nn

from photoguard.models.arcface import ConvAct, DepthWise
from photoguard.models.onnx_weights import load_layers


def _stage(c_in: int, c_out: int, hidden_down: int, hidden: int, n_residual: int) -> nn.Sequential:
    """A stride-2 DepthWise block (expand ``hidden_down``), then ``n_residual`` residual ones (expand ``hidden``)."""
    blocks = [DepthWise(c_in, c_out, hidden_down, stride=2)]
    blocks += [DepthWise(c_out, c_out, hidden, residual=True) for _ in range(n_residual)]
    return nn.Sequential(*blocks)


class FacepluginMFN(nn.Module):
    """Faceplugin MobileFaceNet backbone + head.

    Shape:
        input: ``N x 3 x 112 x 112`` RGB, ArcFace 5-point aligned, normalised
            ``(x - 127) / 128`` (x in 0..255, so roughly [-0.99, 1.0]).
        output: ``N x 512`` raw embedding (not L2-normalised).
    """

    input_size = 112
    embedding_dim = 512
    #: Shape ``C x H x W`` of the mid-level map returned by :meth:`forward_features` (``down2``).
    feature_shape = (128, 14, 14)

    def __init__(self) -> None:
        super().__init__()
        self.stem = ConvAct(3, 64, 3, stride=2)
        self.stem_dw = ConvAct(64, 64, 3, groups=64)
        self.down1 = _stage(64, 64, 128, 128, 4)
        self.down2 = _stage(64, 128, 256, 256, 6)
        self.down3 = _stage(128, 128, 512, 256, 2)
        self.conv_sep = ConvAct(128, 512, 1)
        self.conv_gdc = nn.Conv2d(512, 512, 7, groups=512, bias=True)  # global depthwise, 7x7 -> 1x1
        self.linear = nn.Conv2d(512, 512, 1, bias=True)  # fc + BatchNorm1d, folded

    def forward(self, x: Tensor) -> Tensor:
        """Embed aligned faces.

        Args:
            x: ``N x 3 x 112 x 112`` RGB, ``(x - 127) / 128`` with x in 0..255.

        Returns:
            ``N x 512`` raw embedding (L2-normalise before comparing).
        """
        return self.forward_features(x)[0]

    def forward_features(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """The embedding and a mid-level feature map, in one pass.

        Args:
            x: ``N x 3 x 112 x 112`` RGB, ``(x - 127) / 128`` with x in 0..255.

        Returns:
            ``(embedding, features)``: ``embedding`` is ``N x 512``, identical to
            :meth:`forward`; ``features`` is the ``down2`` output (the 14 x 14 stage, after its
            last residual Add, ONNX tensor ``471``), ``N x 128 x 14 x 14``, unbounded reals
            (no activation after the residual sum).
        """
        features = self.down2(self.down1(self.stem_dw(self.stem(x))))
        x = self.linear(self.conv_gdc(self.conv_sep(self.down3(features))))
        return torch.flatten(x, 1), features

    def weighted(self) -> list[nn.Module]:
        """Weighted layers in ONNX graph execution order (used to map initialisers)."""
        layers = self.stem.weighted() + self.stem_dw.weighted()
        for stage in (self.down1, self.down2, self.down3):
            for block in stage:
                layers += block.weighted()
        return layers + self.conv_sep.weighted() + [self.conv_gdc, self.linear]


def faceplugin_from_onnx(path: str | Path) -> FacepluginMFN:
    """Build :class:`FacepluginMFN` with the weights of ``faceplugin_fr_feature.onnx``, in eval mode.

    Raises:
        ModelError: the graph does not match the architecture (count, type, shape, stride,
            padding or groups).
    """
    net = FacepluginMFN()
    load_layers(net.weighted(), path)
    return net.eval()
