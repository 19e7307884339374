"""Face detection, landmarks and differentiable alignment."""

from photoguard.faces.detect import detect_faces

__all__ = ["detect_faces"]
