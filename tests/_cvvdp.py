"""The reference ColorVideoVDP (PyPI ``cvvdp`` 0.5.7), for checking photoguard's port against it.

``make setup`` installs it with ``pip install --no-deps``: its metadata asks for torchvision, and
PyPI's torchvision does not load beside the pinned CPU torch. cvvdp imports two names from
torchvision: ``transforms.GaussianBlur`` (used with a fixed sigma, so it is a plain Gaussian blur
with reflect padding) and ``ops.MLP`` (used only by its machine-learned variants, not here). When
torchvision cannot be imported, :func:`reference_cvvdp` puts a stand-in for exactly those two names
in place while ``pycvvdp`` is imported, then takes it away again, so nothing else sees it.
"""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
import torch
import torch.nn.functional as F


class _GaussianBlur(torch.nn.Module):
    """torchvision's ``GaussianBlur(kernel_size, sigma)`` for a fixed sigma (reflect padding)."""

    def __init__(self, kernel_size: int, sigma: float) -> None:
        super().__init__()
        self.kernel_size, self.sigma = int(kernel_size), float(sigma)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k = self.kernel_size
        xs = torch.linspace(-(k - 1) * 0.5, (k - 1) * 0.5, k, dtype=x.dtype, device=x.device)
        g = torch.exp(-0.5 * (xs / self.sigma) ** 2)
        g = g / g.sum()
        c = x.shape[-3]
        x = F.pad(x, [k // 2] * 4, mode="reflect")
        x = F.conv2d(x, g.view(1, 1, k, 1).expand(c, 1, k, 1), groups=c)
        return F.conv2d(x, g.view(1, 1, 1, k).expand(c, 1, 1, k), groups=c)


def _import_pycvvdp() -> types.ModuleType:
    try:
        import torchvision  # noqa: F401
    except (ImportError, RuntimeError):  # absent, or PyPI's build that does not load beside the CPU torch
        for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
            del sys.modules[name]
        vision, transforms, ops = (
            types.ModuleType(n) for n in ("torchvision", "torchvision.transforms", "torchvision.ops")
        )
        transforms.GaussianBlur = _GaussianBlur  # type: ignore[attr-defined]
        ops.MLP = None  # type: ignore[attr-defined]
        vision.transforms, vision.ops = transforms, ops  # type: ignore[attr-defined]
        stand_in = {"torchvision": vision, "torchvision.transforms": transforms, "torchvision.ops": ops}
        sys.modules.update(stand_in)
        try:
            import pycvvdp
        finally:
            for name in stand_in:
                sys.modules.pop(name, None)
        return pycvvdp
    import pycvvdp

    return pycvvdp


_METRICS: dict[str, object] = {}


def reference_jod(reference: np.ndarray, test: np.ndarray, display: str = "standard_4k") -> float:
    """cvvdp's own JOD of two ``H x W x 3`` uint8 images at 100 % on ``display``."""
    try:
        pycvvdp = _import_pycvvdp()
    except ImportError as exc:  # make setup installs it; a missing reference must not pass quietly
        pytest.fail(f"cvvdp is not installed ({exc}); make setup installs it: pip install --no-deps cvvdp==0.5.7")
    if display not in _METRICS:
        _METRICS[display] = pycvvdp.cvvdp(display_name=display, device=torch.device("cpu"), quiet=True)
    with torch.no_grad():
        jod, _ = _METRICS[display].predict(np.ascontiguousarray(test), np.ascontiguousarray(reference), dim_order="HWC")  # type: ignore[attr-defined]
    return float(jod)
