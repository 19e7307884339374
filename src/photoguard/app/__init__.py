"""The photoguard web app (Gradio): protect a selfie, see the difference, trust the result.

Start it with ``photoguard app`` (or :func:`launch`); it binds to 127.0.0.1 by default and makes
no public link. Importing this package imports neither Gradio nor any model: :func:`build_app`
and :func:`launch` load Gradio on first use, and the library loads its models on the first
protect.

Modules: :mod:`~photoguard.app.ui` (the page), :mod:`~photoguard.app.processing` (one upload ->
protected file, previews, outcome), :mod:`~photoguard.app.report` (plain-language Markdown),
:mod:`~photoguard.app.views` (the verdicts and the 100 % comparisons in HTML),
:mod:`~photoguard.app.strings` (every word, one table per language: Korean and English),
:mod:`~photoguard.app.previews` (private PNG previews), :mod:`~photoguard.app.workspace` (where
photos are kept and how they are deleted), :mod:`~photoguard.app.style` (theme and CSS).
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_app", "launch"]


def __getattr__(name: str) -> Any:
    if name in ("build_app", "launch"):
        from photoguard.app import ui

        return getattr(ui, name)
    raise AttributeError(f"module 'photoguard.app' has no attribute {name!r}")
