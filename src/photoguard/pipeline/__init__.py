"""The path of a photo through :func:`photoguard.protect`, one stage a module:

==========  ====================================================================================
options     :class:`~photoguard.pipeline.options.ProtectOptions`: everything a call is told, checked once
load        decode the source to one picture; check the output name before any work
detect      find the faces, which are large enough to cloak; the edit defence when asked for
cloak       the identity cloak on the usable faces (one photo, or several batched); the visibility floor
verify      the held-out encoder's check of each cloaked face
result      the :class:`~photoguard.types.ProtectResult` and its one line of details
write       encode, strip the metadata, write atomically under the name ``naming`` gives
naming      the one rule for output names, shared with the batch engines
==========  ====================================================================================

:func:`protect` and :func:`protect_bytes` (``api``) run one photo through the stages;
:func:`protect_many` (``many``) runs the same stages over several photos with one batched cloak.
:class:`~photoguard.pipeline.work.PhotoWork` carries a photo between the stages.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from photoguard.pipeline.api import protect, protect_bytes, protect_photo, protect_photo_bytes
    from photoguard.pipeline.cloak import release_models
    from photoguard.pipeline.load import Source
    from photoguard.pipeline.many import Outcome, protect_many, protect_photos
    from photoguard.pipeline.options import DEFAULTS, ProtectOptions, resolve_device

#: Public name -> the stage module that holds it. They load on first use: the batch engine and the
#: CLI read ``naming`` and ``options`` without loading the stages (``photoguard strip`` loads none).
_WHERE = {
    "protect": "api",
    "protect_bytes": "api",
    "protect_photo": "api",
    "protect_photo_bytes": "api",
    "release_models": "cloak",
    "Source": "load",
    "Outcome": "many",
    "protect_many": "many",
    "protect_photos": "many",
    "DEFAULTS": "options",
    "ProtectOptions": "options",
    "resolve_device": "options",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"photoguard.pipeline.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'photoguard.pipeline' has no attribute {name!r}")


__all__ = [
    "DEFAULTS",
    "Outcome",
    "ProtectOptions",
    "Source",
    "protect",
    "protect_bytes",
    "protect_many",
    "protect_photo",
    "protect_photo_bytes",
    "protect_photos",
    "release_models",
    "resolve_device",
]
