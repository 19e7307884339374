"""photoguard: protect photos before they are posted.

Public API::

    import photoguard
    result = photoguard.protect("selfie.jpg", output="out/", strength="medium")
    print(result.message)
    photoguard.strip_metadata("IMG_0001.jpg", "clean/IMG_0001.jpg")
    print(photoguard.inspect_metadata("IMG_0001.jpg").findings)
"""

from typing import TYPE_CHECKING

from photoguard.errors import PhotoguardError

if TYPE_CHECKING:
    from photoguard.config import DEFAULT_PRESET, PRESETS, CloakConfig, preset
    from photoguard.types import Face, FaceReport, ProtectResult

__version__ = "0.1.0"

# Everything else loads on first use, not at import: `photoguard strip` must not pay for numpy
# (photoguard.types) or torch (photoguard.pipeline) to start.
_LAZY = {
    "DEFAULT_PRESET": "photoguard.config", "PRESETS": "photoguard.config", "CloakConfig": "photoguard.config",
    "preset": "photoguard.config", "Face": "photoguard.types", "FaceReport": "photoguard.types",
    "ProtectResult": "photoguard.types",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    if name == "protect":
        from photoguard.pipeline import protect

        return protect
    if name in ("strip_metadata", "inspect_metadata"):
        from photoguard import metadata

        return getattr(metadata, name)
    if name == "detect_faces":
        from photoguard.faces.detect import detect_faces

        return detect_faces
    raise AttributeError(f"module 'photoguard' has no attribute {name!r}")


__all__ = [
    "protect", "strip_metadata", "inspect_metadata", "detect_faces", "preset", "PRESETS", "DEFAULT_PRESET",
    "CloakConfig", "ProtectResult", "FaceReport", "Face", "PhotoguardError", "__version__",
]
