"""photoguard: protect photos before they are posted.

Public API::

    import photoguard
    result = photoguard.protect("selfie.jpg", output="out/", strength="medium")
    print(result.message)
    photoguard.strip_metadata("IMG_0001.jpg", "clean/IMG_0001.jpg")
    print(photoguard.inspect_metadata("IMG_0001.jpg").findings)
"""

from photoguard.config import DEFAULT_PRESET, PRESETS, CloakConfig, preset
from photoguard.errors import PhotoguardError
from photoguard.types import Face, FaceReport, ProtectResult

__version__ = "0.1.0"


def __getattr__(name: str):
    # Heavy modules (torch models, metadata parsers) load on first use, not at import.
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
