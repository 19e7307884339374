"""The encoder registry: every face identity encoder photoguard knows, one entry each.

An entry says everything the rest of the library needs about an encoder: its weight files (whose
own facts, the licence among them, are the manifest's: :mod:`photoguard.models.store`), the
function that builds its native PyTorch port, the crop and input convention it expects, its
embedding size, how it is shown to people, its same-person threshold and its role in the cloak.
Adding an encoder is one entry here plus its port module (``tests/test_seventh_encoder.py`` does
it with a dummy): the cloak's default ensemble and hold-out (:class:`~photoguard.config.CloakConfig`),
``photoguard verify``, the app's model names and ``benchmarks/encoders.py``'s crops all read the
entry. Builders are named, not imported, so reading the table loads no network (nor torch);
:mod:`photoguard.models.face_encoder` builds and caches them.

Thresholds are the cosine similarity at 0.1 % false accepts on ../shared/faces
(``python benchmarks/encoders.py``, benchmarks/results/encoders.md).

Example:
    >>> ENCODERS["faceres"].input_size
    224
    >>> encoder_spec("arcface").display_name, encoder_spec("arcface").licence
    ('ArcFace', 'InsightFace: non-commercial research only')
    >>> CLOAK_ENCODERS, HOLDOUT
    (('arcface', 'sface', 'facenet', 'faceres', 'faceplugin'), 'faceplugin')
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from photoguard.errors import UsageError

#: An encoder's role in the cloak by default (:attr:`EncoderSpec.role`).
ROLES = ("attack", "holdout", "measured")


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
        role: in the cloak by default: ``"attack"`` (its gradient drives the cloak), ``"holdout"``
            (kept out of the attack, the honest verdict: one encoder) or ``"measured"`` (neither:
            too weak to attack or to judge; measured by ``photoguard verify`` and the benchmarks).
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
    role: str = "attack"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"encoder {self.name!r}: role must be one of {ROLES}, not {self.role!r}")
        if self.crop not in ("arcface", "margin"):
            raise ValueError(f"encoder {self.name!r}: crop must be 'arcface' or 'margin', not {self.crop!r}")

    @property
    def licence(self) -> str:
        """The weights' licence: the manifest's, of the first weight file (stated there once)."""
        from photoguard.models.store import spec as weight_spec

        return weight_spec(self.weights[0]).licence

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
    """An entry of an encoder that takes the 5-point ArcFace-aligned crop, RGB, 112 px unless ``kw`` says otherwise."""
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
            role="holdout",
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
            role="measured",
        ),
    )
}

ENCODER_NAMES: tuple[str, ...] = tuple(ENCODERS)
#: The encoders the cloak knows by default (:attr:`photoguard.config.CloakConfig.encoders`): the
#: attacked ones and the hold-out, in registry order.
CLOAK_ENCODERS: tuple[str, ...] = tuple(name for name, spec in ENCODERS.items() if spec.role in ("attack", "holdout"))
#: The encoder kept out of the attack by default, for the honest verdict (:attr:`photoguard.config.CloakConfig.holdout`).
HOLDOUT: str | None = next((name for name, spec in ENCODERS.items() if spec.role == "holdout"), None)


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


def reference_crop(
    image: np.ndarray, box: tuple[float, float, float, float], landmarks: np.ndarray, spec: EncoderSpec
) -> np.ndarray:
    """Reference (non-differentiable) crop of a face for encoder ``spec``, as its entry says: H x W x
    C uint8 -> S x S x C uint8 (channel order kept as given): :func:`margin_crop`, or the similarity
    warp of the landmarks onto the ArcFace template at ``S`` (``cv2.warpAffine``, as a bot aligns)."""
    if spec.crop == "margin":
        return margin_crop(image, box, spec)
    size = spec.input_size
    return cv2.warpAffine(image, encoder_matrix(spec.name, box, landmarks), (size, size))


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
