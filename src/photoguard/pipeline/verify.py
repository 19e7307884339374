"""Stage 4, verify: the held-out encoder (one the cloak never used) compares each cloaked face with
the original; without one, how far the attacked encoders moved (:mod:`photoguard.verify`)."""

from __future__ import annotations

import math

from photoguard.pipeline.work import PhotoWork
from photoguard.progress import Stage


def verify(work: PhotoWork) -> None:
    """Close the cloak's lap, then (when the options ask for it and a face was cloaked) record each
    cloaked face's similarity to the original in its report, and the held-out verdict's numbers."""
    work.lap("cloak")
    if work.options.verify and work.usable:
        work.report_progress(0.85, Stage("verifying"))
        _verification(work)
    work.lap("verify")


def _verification(work: PhotoWork) -> None:
    from photoguard.verify import compare_identity, verdict_threshold

    reports = work.reports
    idx = [r.index for r in reports if r.protected]
    if not idx:
        return
    held_out = work.config.holdout
    # the verdict needs the held-out encoder only; without one, how far the attacked ones moved
    encoders = (held_out,) if held_out is not None else tuple(work.config.attack_encoders)
    check = compare_identity(work.loaded.rgb, work.protected, [work.faces[i] for i in idx], encoders, str(work.device))
    for k, i in enumerate(idx):
        report = reports[i]
        report.similarity = {name: check.similarity[name][k] for name in encoders}
        if held_out is not None:
            report.verification_encoder = held_out
            report.found_again = check.found[k]
            sim = check.similarity[held_out][k]
            # not found again: a bot using another detector may still find it, so it stays unchecked
            report.verification_similarity = None if math.isnan(sim) else sim
            report.verification_threshold = verdict_threshold(held_out)
