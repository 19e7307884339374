"""Native PyTorch port of becauseofAI MobileFace (``mobileface.json`` + ``mobileface.bin``, a TF.js graph).

A small MXNet-origin network, 256-d embedding at graph node ``batchnorm0/add_1``. The graph
normalises its own input, ``(x - 127.5) * 0.0078125``. No convolution has a bias or a
BatchNorm (only the final ``batchnorm0``, a Mul + Add, folded here into the dense layer);
every activation is a per-channel PReLU, written in the graph as ``max(x, 0) + a * min(x, 0)``.
Every 3x3 convolution is preceded by an explicit ``Pad`` of 1 and run ``VALID``. Layout,
112 x 112 input:

=========  ===========================================================  =======
stage      layers                                                       output
=========  ===========================================================  =======
stem       pad 1, conv 3x3/2 3->32 + PReLU                              32x56²
stage 1    conv 1x1 32->32 (linear), dw 3x3/2 + PReLU (= ``a``),        32x28²
           dw 3x3 + PReLU, dw 3x3 + PReLU, + ``a``
stage 2    as stage 1, 32->32 (feature node: its output, ``add_8``)     32x14²
stage 3    as stage 1, 32->64                                           64x7²
stage 4    as stage 1, 64->128 (7 -> 4 with pad 1, stride 2)            128x4²
head       flatten in NHWC order (2048), dense 2048->256 (no bias),     256
           ``batchnorm0`` (scale + shift)
=========  ===========================================================  =======

(dw: depthwise, multiplier 1.) Input: ``N x 3 x 112 x 112`` **RGB** in 0..255, 5-point
ArcFace-aligned (``photoguard.faces.align.arcface_matrix(landmarks, 112)``).
"""

from __future__ import annotations

from pathlib import Path

from photoguard.models.tfjs_graph import TfjsGraphModule, load_tfjs_encoder

INPUT_SIZE = 112
EMBEDDING_DIM = 256
#: The embedding: the final BatchNorm's output.
OUTPUT_NODE = "batchnorm0/add_1"
#: Stage 2's residual sum, the 14 x 14 stage, halfway through the four stages.
FEATURE_NODE = "add_8"
FEATURE_SHAPE = (32, 14, 14)


def mobileface_from_tfjs(path: str | Path) -> TfjsGraphModule:
    """The MobileFace identity encoder from ``mobileface.json`` (``mobileface.bin`` beside it), frozen, eval mode.

    The module's ``forward(x)`` takes ``x``: ``N x 3 x 112 x 112`` RGB float in 0..255 and
    returns the raw ``N x 256`` embedding (not L2-normalised); ``forward_features(x)`` returns
    ``(embedding, features)`` with ``features`` = ``add_8``, ``N x 32 x 14 x 14``, unbounded
    reals (a residual sum of PReLU outputs).

    Raises:
        ModelError: missing/corrupt files, or a graph that is not MobileFace (nodes, ops or shapes).
    """
    return load_tfjs_encoder(
        path,
        OUTPUT_NODE,
        FEATURE_NODE,
        input_size=INPUT_SIZE,
        embedding_dim=EMBEDDING_DIM,
        feature_shape=FEATURE_SHAPE,
    )
