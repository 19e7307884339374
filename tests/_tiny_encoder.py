"""A seventh encoder, for ``tests/test_seventh_encoder.py``: a port module as the six real ones are
(``photoguard/models/arcface.py``...): the network, and the builder its registry entry names, which
turns the weight file's path into the network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

#: The embedding size.
DIM = 32


class TinyNet(nn.Module):
    """Two strided convolutions and a linear head: ``N x 3 x 112 x 112`` -> ``N x DIM``."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 8, 5, stride=4, padding=2), nn.ReLU(), nn.Conv2d(8, 16, 3, stride=2, padding=1)
        )
        self.head = nn.Linear(16, DIM)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)[0]

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(embedding, features)``: the features the cloak's feature loss uses, ``N x 16 x 14 x 14``."""
        features = self.body(x)
        return self.head(torch.relu(features).mean(dim=(2, 3))), features


def tiny_from_npz(path: Path) -> nn.Module:
    """The network with the weights of ``path`` (an ``.npz`` of its state dict)."""
    net = TinyNet()
    with np.load(path) as arrays:
        net.load_state_dict({name: torch.from_numpy(arrays[name]) for name in arrays.files})
    return net


def write_weights(path: Path, seed: int = 0) -> None:
    """A seeded random set of weights, as the weight file a mirror would hold."""
    torch.manual_seed(seed)
    np.savez(path, **{name: t.detach().numpy() for name, t in TinyNet().state_dict().items()})
