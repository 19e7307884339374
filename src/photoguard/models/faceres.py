"""Native PyTorch port of HSE FaceRes (``faceres.json`` + ``faceres.bin``, a TensorFlow.js graph model).

av-savchenko/HSE_FaceRec_tf ``age_gender_tf2_new-01-0.14-0.92``: a MobileNet v1 (width 1.0)
pretrained for identification on VGGFace2, with age and gender heads. The identity
descriptor is the global average pool, graph node ``global_pooling/Mean`` (1024-d); the heads
(``feats`` fc 1024->256 + ReLU, ``age_pred`` softmax over 100, ``gender_pred`` sigmoid) are not
converted. Weights are stored as float16 in the ``.bin`` and computed in float32. Every
convolution's BatchNorm is folded in the graph (conv: into the kernel, ``merged_input``, plus
an ``Add``; depthwise: ``Mul`` + ``Add``), and here into each kernel and bias at load time.
Layout, 224 x 224 input (dw: depthwise 3x3, pw: pointwise 1x1, each + ReLU6):

==========  ==================================================  =========
stage       layers                                              output
==========  ==================================================  =========
stem        conv 3x3/2 3->32 + ReLU6                            32x112²
block 1     dw, pw 32->64                                       64x112²
block 2-3   dw/2, pw 64->128; dw, pw 128->128                   128x56²
block 4-5   dw/2, pw 128->256; dw, pw 256->256                  256x28²
block 6     dw/2, pw 256->512                                   512x14²
block 7-11  5 x (dw, pw 512->512); feature node: block 7 out    512x14²
block 12-13 dw/2, pw 512->1024; dw, pw 1024->1024               1024x7²
pool        global mean (``global_pooling/Mean``)               1024
==========  ==================================================  =========

Strided convolutions use TensorFlow ``SAME`` padding (the extra row/column at the bottom/right).
Input: ``N x 3 x 224 x 224`` **BGR** in 0..255 (no normalisation in the graph), 5-point aligned
to the ArcFace template scaled x 2 (``photoguard.faces.align.arcface_matrix(landmarks, 224)``).
"""

from __future__ import annotations

from pathlib import Path

from photoguard.models.tfjs_graph import TfjsGraphModule, load_tfjs_encoder

INPUT_SIZE = 224
EMBEDDING_DIM = 1024
#: The identity descriptor (1024-d, before the age/gender heads).
OUTPUT_NODE = "global_pooling/Mean"
#: Block 7's pointwise ReLU6 output, halfway through the 13 blocks, in the 14 x 14 stage.
FEATURE_NODE = "conv_pw_7_relu/clip_by_value"
FEATURE_SHAPE = (512, 14, 14)


def faceres_from_tfjs(path: str | Path) -> TfjsGraphModule:
    """The FaceRes identity encoder from ``faceres.json`` (``faceres.bin`` beside it), frozen, in eval mode.

    The module's ``forward(x)`` takes ``x``: ``N x 3 x 224 x 224`` BGR float in 0..255 and
    returns the raw ``N x 1024`` descriptor (not L2-normalised); ``forward_features(x)``
    returns ``(descriptor, features)`` with ``features`` = ``conv_pw_7_relu/clip_by_value``,
    ``N x 512 x 14 x 14`` in [0, 6] (ReLU6).

    Raises:
        ModelError: missing/corrupt files, or a graph that is not FaceRes (nodes, ops or shapes).
    """
    return load_tfjs_encoder(
        path,
        OUTPUT_NODE,
        FEATURE_NODE,
        input_size=INPUT_SIZE,
        embedding_dim=EMBEDDING_DIM,
        feature_shape=FEATURE_SHAPE,
    )
