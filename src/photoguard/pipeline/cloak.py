"""Stage 3, cloak: the usable faces of one photo (:func:`cloak`) or of several at once
(:func:`cloak_together`: their encoder calls shared, :meth:`~photoguard.cloak.identity.IdentityCloak.cloak_many`),
then the visibility floor held on the file as written (:mod:`photoguard.cloak.floor`). The cloak
and its encoders are built once per process and kept (:func:`get_cloak`, :func:`release_models`)."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import numpy as np

from photoguard.config import CloakConfig
from photoguard.pipeline.work import PhotoWork
from photoguard.progress import Stage

if TYPE_CHECKING:  # the cloak (and torch's model code) loads on the first protect()
    import torch

    from photoguard.cloak.identity import FaceOutcome, IdentityCloak

_CLOAKS: dict[tuple[CloakConfig, str], IdentityCloak] = {}
_CLOAKS_LOCK = threading.Lock()


def get_cloak(config: CloakConfig, device: torch.device) -> IdentityCloak:
    """The cloak for ``config`` on ``device``, built once (two threads asking at once get one)."""
    from photoguard.cloak.identity import IdentityCloak

    key = (config, str(device))
    with _CLOAKS_LOCK:
        if key not in _CLOAKS:
            _CLOAKS.clear()  # keep one: encoders are cached separately, configs are cheap
            _CLOAKS[key] = IdentityCloak(config, device)
        return _CLOAKS[key]


def release_models() -> None:
    """Forget the cached cloak and every cached encoder (their memory, GPU memory included, is freed
    once nothing else holds them); the next :func:`photoguard.protect` loads them again."""
    from photoguard.models.face_encoder import release_encoders

    with _CLOAKS_LOCK:
        _CLOAKS.clear()
    release_encoders()


def cloak(work: PhotoWork) -> None:
    """Cloak the usable faces of one photo (nothing to do without one)."""
    if not work.usable:
        return
    work.report_progress(0.08, Stage("loading the face models"))
    identity = get_cloak(work.config, work.device)
    work.report_progress(0.1, Stage("cloaking", n=len(work.usable)))
    take_cloak(work, identity(*work.cloak_arguments()))


def cloak_together(works: list[PhotoWork]) -> None:
    """Cloak the usable faces of every photo in ``works`` (one options, one device) in one batched
    optimisation; each photo's cloak lap is the batch's wall time."""
    from photoguard.cloak.identity import PhotoCloak

    to_cloak = [work for work in works if work.usable]
    if not to_cloak:
        return
    identity = get_cloak(to_cloak[0].config, to_cloak[0].device)
    t0 = time.perf_counter()
    cloaked = identity.cloak_many([PhotoCloak(identity, *work.cloak_arguments()) for work in to_cloak])
    for work, photo in zip(to_cloak, cloaked):
        work.lap_start = t0  # the cloak lap: the batch's wall time
        take_cloak(work, photo)


def take_cloak(work: PhotoWork, cloaked: tuple[np.ndarray, list[FaceOutcome]]) -> None:
    """Take the cloak's ``(protected, outcomes)`` for the usable faces, then hold the visibility
    floor on the file as written and record each cloaked face's JODs."""
    protected, outcomes = cloaked
    for i, outcome in zip(work.usable, outcomes):
        work.reports[i].protected = outcome.cloaked
        work.reports[i].reason = outcome.reason
    done = [i for i, outcome in zip(work.usable, outcomes) if outcome.cloaked]
    if done:  # before the check: the verdict is on the final pixels
        from photoguard.cloak.floor import within_floor

        faces = [work.faces[i] for i in done]
        targets = [work.config.targets_for(face.size) for face in faces]
        protected, jods = within_floor(work.base, protected, faces, targets, work.quality)
        for i, (at_100, on_phone) in zip(done, jods):
            work.reports[i].visibility_jod, work.reports[i].phone_jod = at_100, on_phone
    work.protected = protected
