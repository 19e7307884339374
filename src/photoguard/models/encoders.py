"""Face identity encoders behind one interface: aligned faces in [0, 1] -> L2-normalised embeddings.

Three encoders, each a native PyTorch port so gradients reach the input pixels:

=========  ==================================  =====  =========================  ====
name       network                             size   crop                       dim
=========  ==================================  =====  =========================  ====
arcface    InsightFace ArcFace w600k_mbf       112    5-point ArcFace template   512
sface      OpenCV SFace 2021dec                112    5-point ArcFace template   128
facenet    FaceNet Inception-ResNet-v1 CASIA   160    square box + 25 % margin   512
=========  ==================================  =====  =========================  ====

Example:
    >>> enc = load_encoder("arcface")
    >>> faces = torch.rand(2, 3, 112, 112, requires_grad=True)
    >>> emb = enc(faces)                       # 2 x 512, unit norm
    >>> (emb[0] @ emb[1]).backward()           # faces.grad is 2 x 3 x 112 x 112
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from photoguard.errors import UsageError
from photoguard.faces.align import arcface_matrix, margin_crop_matrix
from photoguard.models.arcface import arcface_from_onnx
from photoguard.models.facenet import facenet_from_state_dict
from photoguard.models.registry import find_model
from photoguard.models.sface import sface_from_onnx

ENCODER_NAMES = ("arcface", "sface", "facenet")


@dataclass(frozen=True)
class EncoderSpec:
    """What an encoder expects.

    Attributes:
        name: one of :data:`ENCODER_NAMES`.
        model_name: the registry key of its weight file (``find_model(model_name)``).
        input_size: side ``S`` of the square input, in pixels.
        crop: ``"arcface"``: similarity warp of the 5 landmarks onto the ArcFace 112 x 112
            template; ``"margin"``: square crop of the detector box, see :func:`margin_box`.
        margin: for ``"margin"`` crops, the fraction of the box's longer side added to the
            crop side (0.25: the side is 1.25 x the box side); 0 for ``"arcface"`` crops.
        embedding_dim: ``D``, the length of the embedding.
    """

    name: str
    model_name: str
    input_size: int
    crop: str
    margin: float
    embedding_dim: int


SPECS: dict[str, EncoderSpec] = {
    "arcface": EncoderSpec("arcface", "arcface_w600k_mbf", 112, "arcface", 0.0, 512),
    "sface": EncoderSpec("sface", "sface_2021dec", 112, "arcface", 0.0, 128),
    "facenet": EncoderSpec("facenet", "facenet_casia", 160, "margin", 0.25, 512),
}

#: How each network wants its input, as ``x_net = x * scale + offset`` for ``x`` in [0, 1].
_INPUT_AFFINE: dict[str, tuple[float, float]] = {
    "arcface": (255.0 / 127.5, -1.0),  # (x*255 - 127.5) / 127.5
    "sface": (255.0, 0.0),  # 0..255; the network normalises inside
    "facenet": (255.0 / 128.0, -127.5 / 128.0),  # (x*255 - 127.5) / 128
}

_BUILDERS: dict[str, Callable[..., nn.Module]] = {
    "arcface": arcface_from_onnx,
    "sface": sface_from_onnx,
    "facenet": facenet_from_state_dict,
}


class FaceEncoder(nn.Module):
    """A frozen identity encoder: aligned RGB faces in [0, 1] -> unit-norm embeddings.

    The wrapper does the network's own input normalisation, so callers always pass [0, 1].
    Parameters never require gradients and the network stays in eval mode (``train()`` is a
    no-op), but gradients flow to the input.

    Args:
        spec: the encoder's :class:`EncoderSpec`.
        net: the network; takes ``N x 3 x S x S`` in its own input range.
        scale, offset: the affine map from [0, 1] to the network's input range.
    """

    def __init__(self, spec: EncoderSpec, net: nn.Module, *, scale: float, offset: float):
        super().__init__()
        self.spec = spec
        self.net = net
        self.scale = scale
        self.offset = offset
        self.net.eval()
        self.requires_grad_(False)

    def train(self, mode: bool = True) -> FaceEncoder:
        """Frozen encoders stay in eval mode (BatchNorm running statistics are never updated)."""
        return super().train(False)

    def forward(self, faces: Tensor) -> Tensor:
        """Embed aligned faces.

        Args:
            faces: ``N x 3 x S x S`` RGB float in [0, 1], already aligned/cropped at
                ``spec.input_size`` as ``spec.crop`` says.

        Returns:
            ``N x D`` float embeddings, L2-normalised along ``D``.

        Raises:
            ValueError: ``faces`` is not ``N x 3 x S x S``.
        """
        size = self.spec.input_size
        if faces.ndim != 4 or faces.shape[1] != 3 or faces.shape[2:] != (size, size):
            raise ValueError(f"{self.spec.name} expects N x 3 x {size} x {size} faces, got {tuple(faces.shape)}")
        return F.normalize(self.net(faces * self.scale + self.offset), p=2, dim=1)


@lru_cache(maxsize=None)
def _load(name: str, device: str) -> FaceEncoder:
    spec = SPECS[name]
    net = _BUILDERS[name](find_model(spec.model_name))
    scale, offset = _INPUT_AFFINE[name]
    return FaceEncoder(spec, net, scale=scale, offset=offset).to(device)


def load_encoder(name: str, device: str | torch.device = "cpu") -> FaceEncoder:
    """The encoder ``name`` on ``device``, in eval mode with frozen parameters.

    Cached: the same ``(name, device)`` returns the same object, so do not modify it.

    Raises:
        UsageError: unknown ``name``.
        ModelNotFoundError, ModelChecksumError: the weight file is missing or corrupt.
    """
    if name not in SPECS:
        raise UsageError(f"unknown encoder {name!r}; known: {', '.join(ENCODER_NAMES)}")
    return _load(name, str(torch.device(device)))


def margin_box(box: tuple[float, float, float, float], margin: float) -> tuple[float, float, float, float]:
    """The square crop for ``"margin"`` encoders: centred on the box, side ``max(w, h) * (1 + margin)``.

    Args:
        box: detector box ``(x0, y0, x1, y1)`` in pixels.
        margin: fraction of the longer box side added to the crop side.

    Returns:
        ``(x0, y0, x1, y1)`` of the square crop in pixels; may extend past the image.
    """
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0) * (1.0 + margin)
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    return (cx - side / 2.0, cy - side / 2.0, cx + side / 2.0, cy + side / 2.0)


def margin_crop(image: np.ndarray, box: tuple[float, float, float, float], spec: EncoderSpec) -> np.ndarray:
    """Reference (non-differentiable) ``"margin"`` crop: H x W x 3 uint8 -> S x S x 3 uint8.

    The square of :func:`margin_box` is cut out (zero padding outside the image) and resized
    to ``spec.input_size`` with area interpolation. Channel order is kept as given.
    """
    cx0, cy0, cx1, cy1 = (int(round(v)) for v in margin_box(box, spec.margin))
    h, w = image.shape[:2]
    pad = max(0, -cx0, -cy0, cx1 - w, cy1 - h)
    if pad:
        image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(0, 0, 0))
    crop = image[cy0 + pad : cy1 + pad, cx0 + pad : cx1 + pad]
    size = spec.input_size
    interp = cv2.INTER_AREA if crop.shape[0] > size else cv2.INTER_LINEAR
    return cv2.resize(crop, (size, size), interpolation=interp)


def encoder_matrix(name: str, box: tuple[float, float, float, float], landmarks: np.ndarray) -> np.ndarray:
    """Source->input ``2 x 3`` matrix of encoder ``name`` for a face, as its ``spec.crop`` says.

    Args:
        name: one of :data:`ENCODER_NAMES`.
        box: detector box ``(x0, y0, x1, y1)`` in source pixels (``"margin"`` crops).
        landmarks: ``5 x 2`` landmarks in source pixels (``"arcface"`` crops).
    """
    spec = SPECS[name]
    if spec.crop == "arcface":
        return arcface_matrix(landmarks, spec.input_size)
    return margin_crop_matrix(box, spec.input_size, spec.margin)
