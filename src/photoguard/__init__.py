"""photoguard: protect photos before they are posted.

Public API::

    import photoguard
    result = photoguard.protect("selfie.jpg", output="out/", strength="medium")
    print(result.verdict, result.message)       # the held-out check's verdict comes first
    data, result = photoguard.protect_bytes(jpeg_bytes)   # in memory: bytes (or a PIL image) in, bytes out
    results = photoguard.protect_many(paths, output="out/", device="cuda")  # faces batched; an error per failed photo
    photoguard.strip_metadata("IMG_0001.jpg", "clean/IMG_0001.jpg")
    clean, report = photoguard.strip_bytes(jpeg_bytes)
    print(photoguard.inspect_metadata("IMG_0001.jpg").findings)
"""

from typing import TYPE_CHECKING, Any

from photoguard.errors import PhotoguardError

if TYPE_CHECKING:
    from photoguard.config import DEFAULT_PRESET, PRESETS, CloakConfig, preset
    from photoguard.faces.detect import detect_faces
    from photoguard.metadata import inspect_metadata, strip_bytes, strip_metadata
    from photoguard.pipeline import ProtectOptions, protect, protect_bytes, protect_many, release_models
    from photoguard.types import Face, FaceReport, FaceStatus, ProtectResult, Verdict

__version__ = "0.1.0"

# Everything else loads on first use, not at import: `photoguard strip` must not pay for numpy
# (photoguard.types) or torch (the cloak behind photoguard.pipeline) to start.
_LAZY = {
    "DEFAULT_PRESET": "photoguard.config",
    "PRESETS": "photoguard.config",
    "CloakConfig": "photoguard.config",
    "preset": "photoguard.config",
    "Face": "photoguard.types",
    "FaceReport": "photoguard.types",
    "ProtectResult": "photoguard.types",
    "Verdict": "photoguard.types",
    "FaceStatus": "photoguard.types",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in ("protect", "protect_bytes", "protect_many", "release_models", "ProtectOptions"):
        from photoguard import pipeline

        return getattr(pipeline, name)
    if name in ("strip_metadata", "inspect_metadata", "strip_bytes"):
        from photoguard import metadata

        return getattr(metadata, name)
    if name == "detect_faces":
        from photoguard.faces.detect import detect_faces

        return detect_faces
    raise AttributeError(f"module 'photoguard' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API and what is loaded already, so that completion (``photoguard.pro<Tab>``)
    offers ``protect`` too, not only the loaded submodules."""
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "DEFAULT_PRESET",
    "PRESETS",
    "CloakConfig",
    "Face",
    "FaceReport",
    "FaceStatus",
    "PhotoguardError",
    "ProtectOptions",
    "ProtectResult",
    "Verdict",
    "__version__",
    "detect_faces",
    "inspect_metadata",
    "preset",
    "protect",
    "protect_bytes",
    "protect_many",
    "release_models",
    "strip_bytes",
    "strip_metadata",
]
